/* Revital: the residents' contributions on the commune map, on top of Leaflet and
 * Leaflet.markercluster (static/vendor/leaflet.markercluster).
 *
 * The feed is minimal (a GeoJSON FeatureCollection of points: the feature's id, "k" the kind's
 * letter — a, w, i — and "c" the category; ?phase=… asks the server for one phase only, and
 * ?atelier=… for one workshop's contributions):
 * it is fetched once, every marker is built in memory and the cluster group receives them in one
 * bulk addLayers call with chunkedLoading, which keeps 50,000 points usable. Filtering rebuilds
 * the visible set the same way. A contribution's details are fetched on demand when its marker is
 * activated (click, Enter or Space), as a small HTML fragment rendered and escaped by the server.
 * Nothing coming from the feed is ever inserted as HTML: counts and messages go through textContent.
 *
 * A layer of the one map script (static/js/revital-maps.js): communeLayers starts it when the
 * map's options have "contributions", with (from revital/contributions/pages.py):
 *   url: "/api/communes/SLUG/contributions.geojson",
 *   popupUrl: "/communes/SLUG/contributions/{id}/carte",
 *   kinds: {asset: "Atout", …},            // the kinds' labels
 *   letters: {a: "asset", …},              // the feed's letters for the kinds
 *   filters: "map-filters",                // id of the filter <form> (optional)
 *   count: "map-count",                    // id of the element showing the count (optional)
 *   control: layersControl                 // added by communeLayers
 * Once the visible markers are in the cluster group, the map container gets
 * data-contributions="<number shown>" (updated after every filter change). */
(function () {
  "use strict";

  var util = window.Revital.util;
  var element = util.element, formatNumber = util.formatNumber, showProblem = util.showProblem;
  var OVERLAY_NAME = "Contributions";
  var LOADING = "Chargement…";
  var POPUP_FAILED = "La contribution n’a pas pu être chargée.";
  var FEED_FAILED = "Les contributions n’ont pas pu être chargées. Rechargez la page pour réessayer.";

  /* One icon per kind, shared by all its markers (an L.DivIcon builds a new element per marker).
   * The glyph and the shape come from contributions.css, so colour is never the only cue. */
  var icons = {};
  function iconFor(kind, kinds) {
    var key = Object.prototype.hasOwnProperty.call(kinds, kind) ? kind : "other";
    if (!icons[key]) {
      icons[key] = L.divIcon({
        className: "contribution-marker contribution-" + key,
        html: "",
        iconSize: [26, 26],
        iconAnchor: [13, 13],
        popupAnchor: [0, -13]
      });
    }
    return icons[key];
  }

  /* Cluster icons with the classes of MarkerCluster.Default.css, and an accessible name
   * ("12 contributions") since Leaflet makes them focusable buttons. */
  function clusterIcon(cluster) {
    var count = cluster.getChildCount();
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var inner = element("div");
    inner.appendChild(element("span", formatNumber(count)));
    inner.appendChild(element("span", count > 1 ? " contributions" : " contribution", "visually-hidden"));
    return L.divIcon({
      html: inner,
      className: "marker-cluster marker-cluster-" + size,
      iconSize: new L.Point(40, 40)
    });
  }

  function countText(n) {
    return formatNumber(n) + (n > 1 ? " contributions affichées" : " contribution affichée");
  }

  /* The filter form, read as the server would read it as a GET; null when there is no form. */
  function readFilters(form) {
    if (!form) { return null; }
    var boxes = form.querySelectorAll('input[name="kind"]');
    var kinds = null;
    if (boxes.length) {
      kinds = {};
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].checked) { kinds[boxes[i].value] = true; }
      }
    }
    var category = form.querySelector('[name="category"]');
    var phase = form.querySelector('[name="phase"]');
    var workshop = form.querySelector('[name="atelier"]');
    return {
      kinds: kinds,
      category: category && category.value ? category.value : "",
      phase: phase && phase.value ? phase.value : "",
      workshop: workshop && workshop.value ? workshop.value : ""
    };
  }

  function matches(properties, filters) {
    if (!filters) { return true; }
    if (filters.kinds && !filters.kinds[properties.kind]) { return false; }
    if (filters.category && String(properties.category) !== filters.category) { return false; }
    return true;
  }

  function contributions(map, options) {
    var KINDS = options.kinds || {}, LETTERS = options.letters || {};
    /* The filter form and the counter are found by id at each use and listened to from the
     * document: an htmx swap may replace them while the map, which htmx preserves, lives on. */
    function filterForm() { return options.filters ? document.getElementById(options.filters) : null; }
    function inFilters(node) {
      var form = filterForm();
      return !!form && (node === form || form.contains(node));
    }

    var markers = [];      // every marker, in feed order
    var properties = [];   // properties[i] belongs to markers[i]
    var shown = 0;
    var busy = false;      // a chunked addLayers is still running
    var dirty = false;     // the filters changed while it was running

    var group = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      iconCreateFunction: clusterIcon,
      chunkProgress: function (processed, total) {
        if (processed === total && busy) { finished(); }   // not for the group's own onAdd
      }
    });
    group.addTo(map);
    if (options.control) { options.control.addOverlay(group, OVERLAY_NAME); }

    function publish() {
      var counter = options.count ? document.getElementById(options.count) : null;
      if (counter) {
        if (!counter.hasAttribute("aria-live")) { counter.setAttribute("aria-live", "polite"); }
        counter.textContent = countText(shown);
      }
      map.getContainer().setAttribute("data-contributions", String(shown));
    }

    function finished() {
      busy = false;
      if (dirty) { dirty = false; rebuild(); } else { publish(); }
    }

    /* markercluster cannot cancel a chunked addLayers: a rebuild waits for the running one.
     * The phase and the workshop are filtered by the server: another one means another feed. */
    var loadedFeed = null;
    var loading = false;
    function feedOf(filters) {
      return { phase: filters ? filters.phase : "", workshop: filters ? filters.workshop : "" };
    }
    function rebuild() {
      if (busy || loading) { dirty = true; return; }
      var filters = readFilters(filterForm());
      var feed = feedOf(filters);
      if (!loadedFeed || feed.phase !== loadedFeed.phase || feed.workshop !== loadedFeed.workshop) {
        load(feed);
        return;
      }
      var visible = [];
      for (var i = 0; i < markers.length; i++) {
        if (matches(properties[i], filters)) { visible.push(markers[i]); }
      }
      shown = visible.length;
      group.clearLayers();
      if (map.hasLayer(group)) {
        busy = true;
        group.addLayers(visible);   // calls finished() through chunkProgress, maybe synchronously
      } else {
        group.addLayers(visible);   // kept until the overlay is shown again
        publish();
      }
    }

    document.addEventListener("change", function (event) { if (inFilters(event.target)) { rebuild(); } });
    document.addEventListener("submit", function (event) {
      if (inFilters(event.target)) { event.preventDefault(); rebuild(); }
    });
    document.addEventListener("reset", function (event) {
      if (inFilters(event.target)) { window.setTimeout(rebuild, 0); }
    });

    /* Popups on demand: bound on the first activation of a marker, filled from the server,
     * fragments cached by id. Leaflet then opens and closes the bound popup by itself. */
    var fragments = Object.create(null);   // by id; no inherited keys
    var pending = Object.create(null);

    function popupUrl(id) {
      return options.popupUrl.replace("{id}", encodeURIComponent(String(id)));
    }

    function fill(marker) {
      var id = marker.contributionId;
      if (id in fragments) { marker.setPopupContent(fragments[id]); return; }
      if (pending[id]) { return; }
      pending[id] = true;
      fetch(popupUrl(id), { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.text();
        })
        .then(function (html) {
          fragments[id] = html;   // trusted: escaped server output, never feed data
          marker.setPopupContent(html);
        })
        .catch(function () {
          marker.setPopupContent(element("p", POPUP_FAILED, "map-problem"));   // retried on next activation
        })
        .then(function () { delete pending[id]; });
    }

    function activate(event) {
      var marker = event.layer;
      if (!marker || marker.contributionId === undefined || !options.popupUrl) { return; }
      if (!marker.getPopup()) {
        marker.bindPopup(element("p", LOADING), { maxWidth: 320, autoPanPadding: [16, 16] });
        marker.openPopup();
      }
      if (marker.isPopupOpen()) { fill(marker); }   // else Leaflet has just closed it
    }

    group.on("click", activate);
    /* Leaflet closes popups with Escape only when the map itself has the focus, not a marker. */
    group.on("keydown", function (event) {
      var marker = event.layer;
      var key = event.originalEvent && event.originalEvent.keyCode;
      if (key === 27 && marker && marker.contributionId !== undefined && marker.isPopupOpen()) {
        marker.closePopup();
      }
    });
    group.on("keypress", function (event) {
      var key = event.originalEvent && event.originalEvent.keyCode;
      if (key === 32) {   // Space activates a role="button" too; Leaflet only knows Enter
        L.DomEvent.preventDefault(event.originalEvent);
        var marker = event.layer;
        if (marker && marker.getPopup()) { marker.togglePopup(); }
        activate(event);
      } else if (key === 13) {
        activate(event);
      }
    });

    function load(feed) {
      loading = true;
      var url = options.url;
      if (feed.phase) { url += (url.indexOf("?") === -1 ? "?" : "&") + "phase=" + encodeURIComponent(feed.phase); }
      if (feed.workshop) { url += (url.indexOf("?") === -1 ? "?" : "&") + "atelier=" + encodeURIComponent(feed.workshop); }
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (data) {
          var features = (data && data.features) || [];
          markers = [];
          properties = [];
          for (var i = 0; i < features.length; i++) {
            var feature = features[i];
            var geometry = feature.geometry;
            if (!geometry || geometry.type !== "Point") { continue; }
            var raw = feature.properties || {};
            var props = {
              id: feature.id !== undefined ? feature.id : raw.id,
              kind: LETTERS[raw.k] || raw.kind,
              category: raw.c !== undefined ? raw.c : raw.category
            };
            var marker = L.marker([geometry.coordinates[1], geometry.coordinates[0]], {
              icon: iconFor(props.kind, KINDS),
              keyboard: true,
              title: KINDS[props.kind] || "Contribution"
            });
            marker.contributionId = props.id;
            markers.push(marker);
            properties.push(props);
          }
          loadedFeed = feed;
          loading = false;
          dirty = false;
          rebuild();
          return group;
        })
        .catch(function () {
          loading = false;
          showProblem(map, FEED_FAILED);
          return group;
        });
    }

    return load(feedOf(readFilters(filterForm())));
  }

  /* Started by communeLayers, once the document (and its filter form) is parsed. */
  window.Revital.addLayer("contributions", contributions);
})();
