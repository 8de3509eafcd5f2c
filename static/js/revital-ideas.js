/* Revital: the ideas' layer of a commune map (pistes d’action), on top of Leaflet. A layer of the one
 * map script (static/js/revital-maps.js): communeLayers starts it when the map's options have
 * "ideas", with (from revital/ideas/controllers.py):
 *   url: "/api/communes/SLUG/ideas.geojson",
 *   page: "/communes/SLUG/pistes",
 *   focus: the id of the idea whose page it is, or null
 * Each idea with a location is a marker whose popup links to its page; the focused one is centred.
 * Text from the feed goes through textContent only: never as HTML. Once loaded, the map container
 * gets data-ideas="<number of ideas on the map>". */
(function () {
  "use strict";

  var util = window.Revital.util;
  var element = util.element, showProblem = util.showProblem;
  var FAILED = "Les pistes d’action n’ont pas pu être chargées. Rechargez la page pour réessayer.";

  function popup(properties, options) {
    var box = element("div");
    box.appendChild(element("p", properties.status_label || "", "muted"));
    var title = element("strong");
    var link = element("a", properties.title);
    link.href = options.page + "/" + String(properties.id);
    title.appendChild(link);
    box.appendChild(title);
    return box;
  }

  function ideas(map, options) {
    var group = L.featureGroup().addTo(map);
    if (options.control) { options.control.addOverlay(group, "Pistes d’action"); }
    return fetch(options.url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var shown = 0;
        data.features.forEach(function (feature) {
          if (!feature.geometry) { return; }
          var properties = feature.properties || {};
          var latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
          var marker = L.marker(latlng, { title: properties.title, alt: properties.title });
          marker.bindPopup(popup(properties, options));
          group.addLayer(marker);
          shown += 1;
          if (options.focus !== null && options.focus === properties.id) {
            map.setView(latlng, Math.max(map.getZoom(), 16), { animate: false });
          }
        });
        map.getContainer().setAttribute("data-ideas", String(shown));
      })
      .catch(function () { showProblem(map, FAILED); });
  }

  window.Revital.addLayer("ideas", ideas);
})();
