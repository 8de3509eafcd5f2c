/* Revital: the students' layer of a commune map, on top of Leaflet. A layer of the one map script
 * (static/js/revital-maps.js): communeLayers starts it when the map's options have "students", with
 * (from revital/students/controllers.py):
 *   url: "/api/communes/SLUG/etudiants.geojson",
 *   kinds: {asset: "Atout", …},   // the observations' kinds
 *   page: "/communes/SLUG/etudiants",
 *   control: layersControl        // added by communeLayers
 * The feed holds the teams' field observations (points) and their published proposals (a point or
 * an area). Each team gets its own overlays in the layers control, labelled with its name, that
 * residents switch on or off. Text from the feed goes through textContent only: never as HTML.
 * Once loaded, the map container gets data-students="<number of features>". */
(function () {
  "use strict";

  var util = window.Revital.util;
  var element = util.element, showProblem = util.showProblem;
  var OBSERVATION = { radius: 7, color: "#1f5f8b", weight: 2, fillColor: "#6fb3e0", fillOpacity: 0.9 };
  var PROPOSAL = { color: "#6a3d9a", weight: 3, fillColor: "#cab2d6", fillOpacity: 0.3 };
  var FAILED = "Les travaux des étudiants n’ont pas pu être chargés. Rechargez la page pour réessayer.";

  function popup(properties, options) {
    var box = element("div");
    var kind = properties.kind === "proposal" ? "Proposition des étudiants" : (properties.label || "Observation");
    box.appendChild(element("p", kind + " · " + (properties.team || ""), "muted"));
    var title = element("strong");
    if (properties.kind === "proposal" && options.page) {
      var link = element("a", properties.title);
      link.href = options.page + "#" + String(properties.anchor || "");
      title.appendChild(link);
    } else {
      title.textContent = properties.title;
    }
    box.appendChild(title);
    return box;
  }

  function students(map, options) {
    var groups = {};   // by team and kind of feature: one overlay each
    function groupFor(properties) {
      var name = (properties.kind === "proposal" ? "Propositions des étudiants" : "Observations des étudiants") +
        " — " + (properties.team || "équipe");
      if (!groups[name]) {
        groups[name] = L.featureGroup().addTo(map);
        if (options.control) { options.control.addOverlay(groups[name], name); }
      }
      return groups[name];
    }
    return fetch(options.url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        data.features.forEach(function (feature) {
          var properties = feature.properties || {};
          var layer = L.geoJSON(feature, {
            style: function () { return PROPOSAL; },
            pointToLayer: function (f, latlng) {
              return properties.kind === "proposal" ? L.marker(latlng, { title: properties.title, alt: properties.title })
                : L.circleMarker(latlng, OBSERVATION);
            }
          });
          layer.bindPopup(popup(properties, options));
          groupFor(properties).addLayer(layer);
        });
        map.getContainer().setAttribute("data-students", String(data.features.length));
      })
      .catch(function () { showProblem(map, FAILED); });
  }

  window.Revital.addLayer("students", students);
})();
