/* Revital's one map script, on top of Leaflet (and Leaflet.draw for the perimeter editor).
 * A page's small inline script (with its CSP nonce), rendered by folium (revital/maps.py), calls
 * Revital.run(behaviour, map, baseLayers, options) with a registered behaviour: communeLayers,
 * perimeterEditor (options.blank: start from nothing rather than the commune's perimeter), pointPicker,
 * territoryCommunes, pointsList (points listed in the page) and areaSelect (those points, and an
 * area drawn to tick their checkboxes). Layers of other parts of the workflow register themselves with
 * Revital.addLayer(name, start) (static/js/revital-contributions.js does) and are started by
 * communeLayers for each options[name] the page gives; what they need to know from the server
 * (labels, feed letters) comes in those options. Shared helpers are in Revital.util.
 * Resident text reaches the map only through textContent: never as HTML.
 *
 * A map lives in a container that htmx preserves across swaps (templates/partials/_map.html):
 * the map outlives the form fields around it, which a swap replaces. So the behaviours find their
 * fields by id each time they use them, and listen to them from the document. */
(function () {
  "use strict";

  var STYLES = {
    boundary: { color: "#4a4a4a", weight: 2, fill: false, dashArray: "6 4" },
    perimeter: { color: "#b34700", weight: 3, fillColor: "#f2a65a", fillOpacity: 0.15 }
  };
  var OVERLAY_NAMES = {
    boundary: "Limite de la commune",
    perimeter: "Périmètre d’étude du centre-bourg",
    places: "Lieux"
  };
  var TEXTS = {
    zoomIn: "Zoom avant",
    zoomOut: "Zoom arrière",
    layers: "Fonds de carte et couches",
    leaflet: "Leaflet, bibliothèque JavaScript de cartes interactives",
    close: "Fermer",
    picker: "Carte : placer le repère",
    pin: "Position choisie",
    placed: "Repère placé : "
  };
  /* Phones: the layers panel opens from its button instead of covering the map. */
  var NARROW = "(max-width: 599.98px)";
  var PIN_STEP = 10;   // pixels per arrow key
  var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function formatNumber(n) {
    try { return Number(n).toLocaleString("fr-FR"); } catch (error) { return String(n); }
  }

  function placePopup(properties) {
    var box = element("div");
    box.appendChild(element("strong", properties.name));
    if (properties.description) { box.appendChild(element("p", properties.description)); }
    return box;
  }

  /* A position as French readers write it, latitude first: "44,45641 N, 3,56335 E"
   * (the same as revital.formatting.coords_fr on the server). */
  function coordsFr(lon, lat) {
    function part(value, positive, negative) {
      var text = Math.abs(value).toFixed(5);
      return text.replace(".", ",") + " " + (value < 0 && Number(text) !== 0 ? negative : positive);
    }
    return part(lat, "N", "S") + ", " + part(lon, "E", "O");
  }

  /* Leaflet's controls, in French: zoom buttons, a metric scale, the credits' prefix, popups'
   * close button. folium adds neither zoom buttons nor scale (revital/maps.py). */
  function frenchControls(map) {
    L.control.zoom({ zoomInTitle: TEXTS.zoomIn, zoomOutTitle: TEXTS.zoomOut }).addTo(map);
    L.control.scale({ metric: true, imperial: false }).addTo(map);
    var credits = map.attributionControl;
    if (credits && credits.options.prefix) {   // keeps Leaflet's link (and its flag), retitled
      credits.setPrefix(String(credits.options.prefix).replace(/title="[^"]*"/, 'title="' + TEXTS.leaflet + '"'));
    }
    map.on("popupopen", function (event) {
      var box = event.popup.getElement();
      var close = box && box.querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", TEXTS.close);
        close.setAttribute("title", TEXTS.close);
      }
    });
  }

  function layersControl(map, baseLayers, overlays) {
    var control = L.control.layers(baseLayers, overlays, { collapsed: window.matchMedia(NARROW).matches }).addTo(map);
    var toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) {
      toggle.setAttribute("title", TEXTS.layers);
      toggle.setAttribute("aria-label", TEXTS.layers);
    }
    return control;
  }

  function showProblem(map, message) {
    var note = element("p", message, "map-problem");
    note.setAttribute("role", "status");
    map.getContainer().parentNode.appendChild(note);
  }

  /* Layers of other parts of the workflow, by the name of their options. */
  var LAYERS = {};

  /* Boundary, perimeter and places, fetched from the commune's GeoJSON endpoint. */
  function communeLayers(map, baseLayers, options) {
    var layers = {
      boundary: L.geoJSON(null, { style: STYLES.boundary, interactive: false }),
      perimeter: L.geoJSON(null, { style: STYLES.perimeter, interactive: false }),
      places: L.geoJSON(null, {
        pointToLayer: function (feature, latlng) {
          return L.marker(latlng, {
            title: feature.properties.name, alt: feature.properties.name, keyboard: options.keyboard !== false
          });
        },
        onEachFeature: function (feature, layer) { layer.bindPopup(placePopup(feature.properties)); }
      })
    };
    var overlays = {};
    Object.keys(layers).forEach(function (kind) {
      if (options.skip && options.skip.indexOf(kind) !== -1) { return; }
      layers[kind].addTo(map);
      overlays[OVERLAY_NAMES[kind]] = layers[kind];
    });
    var control = layersControl(map, baseLayers, overlays);
    Object.keys(LAYERS).forEach(function (name) {
      if (options[name]) { LAYERS[name](map, L.extend({ control: control }, options[name])); }
    });
    return fetch(options.url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        data.features.forEach(function (feature) {
          var kind = feature.properties && feature.properties.kind;
          if (kind === "place") { layers.places.addData(feature); }
          else if (layers[kind]) { layers[kind].addData(feature); }
        });
        var focus = layers.perimeter.getLayers().length ? layers.perimeter : layers.boundary;
        if (options.fit !== false && focus.getLayers().length) {   // at once: the view is ready when marked so
          map.fitBounds(focus.getBounds(), { padding: [16, 16], animate: false });
        }
        map.getContainer().setAttribute("data-loaded", "true");
        return layers;
      })
      .catch(function () {
        showProblem(map, "Les contours de la commune n’ont pas pu être chargés. Rechargez la page pour réessayer.");
        return layers;
      });
  }

  function frenchDrawTexts(shapes) {
    if (!L.drawLocal) { return; }
    var draw = L.drawLocal.draw, edit = L.drawLocal.edit;
    draw.toolbar.buttons.polygon = shapes ? "Tracer une zone" : "Tracer le périmètre";
    draw.toolbar.buttons.polyline = "Tracer une ligne";
    draw.toolbar.buttons.marker = "Placer un point";
    draw.handlers.marker.tooltip = { start: "Cliquez pour placer le point." };
    draw.handlers.polyline.tooltip = {
      start: "Cliquez pour placer le premier point.",
      cont: "Cliquez pour continuer la ligne.",
      end: "Cliquez sur le dernier point pour terminer la ligne."
    };
    draw.toolbar.buttons.rectangle = "Tracer un rectangle";
    draw.toolbar.actions = { title: "Annuler le tracé", text: "Annuler" };
    draw.toolbar.finish = { title: "Terminer le tracé", text: "Terminer" };
    draw.toolbar.undo = { title: "Effacer le dernier point", text: "Effacer le dernier point" };
    draw.handlers.polygon.tooltip = {
      start: "Cliquez pour placer le premier point.",
      cont: "Cliquez pour continuer le tracé.",
      end: "Cliquez sur le premier point pour fermer le périmètre."
    };
    draw.handlers.polyline.error = "<strong>Erreur :</strong> les côtés ne doivent pas se croiser.";
    draw.handlers.rectangle.tooltip = { start: "Cliquez et faites glisser pour tracer un rectangle." };
    draw.handlers.simpleshape.tooltip = { end: "Relâchez pour terminer." };
    edit.toolbar.actions.save = { title: "Garder les modifications", text: "Garder" };
    edit.toolbar.actions.cancel = { title: "Annuler les modifications", text: "Annuler" };
    edit.toolbar.actions.clearAll = { title: "Tout effacer", text: "Tout effacer" };
    edit.toolbar.buttons = {
      edit: "Modifier le périmètre", editDisabled: "Aucun périmètre à modifier",
      remove: "Effacer le périmètre", removeDisabled: "Aucun périmètre à effacer"
    };
    edit.handlers.edit.tooltip = { text: "Déplacez les points pour modifier le périmètre.", subtext: "Annuler pour revenir en arrière." };
    edit.handlers.remove.tooltip = { text: "Cliquez sur le périmètre pour l’effacer." };
  }

  /* The commune admin draws or edits the perimeter; the GeoJSON goes into a form field.
   * options.shapes (an action sheet's location) also offers a point ("marker") and a line
   * ("polyline"): one shape at a time, whichever kind. */
  function perimeterEditor(map, baseLayers, options) {
    var shapes = options.shapes || null;
    function offers(kind) { return shapes ? shapes.indexOf(kind) >= 0 : kind === "polygon"; }
    frenchDrawTexts(shapes);
    var editable = new L.FeatureGroup().addTo(map);
    function sync() {
      var field = document.getElementById(options.field);
      if (!field) { return; }
      var drawn = editable.getLayers();
      field.value = drawn.length ? JSON.stringify(drawn[drawn.length - 1].toGeoJSON().geometry) : "";
      field.dispatchEvent(new Event("change"));
    }
    var control = new L.Control.Draw({
      position: "topleft",
      draw: {
        polygon: { allowIntersection: false, showArea: true, shapeOptions: STYLES.perimeter },
        rectangle: { shapeOptions: STYLES.perimeter },
        polyline: offers("polyline") ? { shapeOptions: STYLES.perimeter } : false,
        marker: offers("marker") ? {} : false,
        circle: false, circlemarker: false
      },
      edit: { featureGroup: editable }
    });
    map.addControl(control);
    map.on(L.Draw.Event.CREATED, function (event) { editable.clearLayers(); editable.addLayer(event.layer); sync(); });
    map.on(L.Draw.Event.EDITED, sync);
    map.on(L.Draw.Event.DELETED, sync);
    /* What the field holds (a sketch saved with an application, or typed before a form error)
     * is what is being edited; without it, the commune's perimeter. */
    function fromField() {
      var field = document.getElementById(options.field), shape = null;
      try { shape = field && field.value.trim() ? JSON.parse(field.value) : null; } catch (error) { shape = null; }
      if (!shape) { return null; }
      if (shapes && (shape.type === "Point" || shape.type === "LineString")) {
        try { return L.geoJSON(shape, { style: function () { return STYLES.perimeter; } }); } catch (error) { return null; }
      }
      if (shape.type !== "Polygon" && shape.type !== "MultiPolygon") { return null; }
      try { return L.geoJSON(shape); } catch (error) { return null; }
    }
    return communeLayers(map, baseLayers, { url: options.url, skip: ["perimeter"] }).then(function (layers) {
      var source = fromField() || (options.blank ? L.featureGroup() : layers.perimeter);   // blank: a new shape
      source.eachLayer(function (layer) {
        if (!(layer instanceof L.Polygon)) { editable.addLayer(layer); return; }   // a point or a line, as drawn
        var latlngs = layer.getLatLngs();
        (layer instanceof L.Polygon && Array.isArray(latlngs[0]) && Array.isArray(latlngs[0][0]) ? latlngs : [latlngs])
          .forEach(function (rings) { editable.addLayer(L.polygon(rings, STYLES.perimeter)); });
      });
      if (editable.getLayers().length) { map.fitBounds(editable.getBounds(), { padding: [16, 16], animate: false }); }
      map.getContainer().setAttribute("data-editor", "ready");
      return layers;
    });
  }

  /* The points a page lists (elements with data-lon and data-lat, inside the element whose id is
   * options.list), as circle markers whose popup names them (the text of their data-label, or
   * of the element itself). The list is the map's accessible alternative. */
  var POINT_STYLE = { radius: 7, color: "#1f4e79", weight: 2, fillColor: "#4f8fc6", fillOpacity: 0.8 };
  var CHOSEN_STYLE = { color: "#7a2e00", fillColor: "#f28c28" };

  function listedPoints(map, options) {
    var list = document.getElementById(options.list);
    var found = [];
    if (!list) { return found; }
    var items = list.querySelectorAll("[data-lon][data-lat]");
    for (var i = 0; i < items.length; i++) {
      var lon = parseFloat(items[i].getAttribute("data-lon")), lat = parseFloat(items[i].getAttribute("data-lat"));
      if (!isFinite(lon) || !isFinite(lat)) { continue; }
      var marker = L.circleMarker([lat, lon], L.extend({}, POINT_STYLE)).addTo(map);
      marker.bindPopup(element("p", items[i].getAttribute("data-label") || items[i].textContent.trim()));
      found.push({ item: items[i], marker: marker, latlng: L.latLng(lat, lon) });
    }
    return found;
  }

  function pointsList(map, baseLayers, options) {
    var points = listedPoints(map, options);
    return communeLayers(map, baseLayers, { url: options.url, fit: points.length === 0 }).then(function (layers) {
      if (points.length) {
        map.fitBounds(L.latLngBounds(points.map(function (p) { return p.latlng; })), { padding: [24, 24], maxZoom: 17, animate: false });
      }
      map.getContainer().setAttribute("data-points", String(points.length));
      return layers;
    });
  }

  /* Ray casting: is the point inside the ring (an array of LatLng)? */
  function insideRing(latlng, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i].lng, yi = ring[i].lat, xj = ring[j].lng, yj = ring[j].lat;
      if (((yi > latlng.lat) !== (yj > latlng.lat)) &&
          (latlng.lng < (xj - xi) * (latlng.lat - yi) / (yj - yi) + xi)) { inside = !inside; }
    }
    return inside;
  }

  function insideShape(latlng, layer) {
    var rings = layer.getLatLngs();
    while (rings.length && Array.isArray(rings[0]) && Array.isArray(rings[0][0])) { rings = rings[0]; }
    if (!rings.length) { return false; }
    if (!Array.isArray(rings[0])) { rings = [rings]; }
    if (!insideRing(latlng, rings[0])) { return false; }
    for (var k = 1; k < rings.length; k++) { if (insideRing(latlng, rings[k])) { return false; } }
    return true;   // inside the outer ring, in no hole
  }

  /* The contributions of the page's selection list on the map; drawing an area (polygon or
   * rectangle, Leaflet.draw as in perimeterEditor) ticks the checkbox of each one inside it, and
   * says how many in the map's status line. The checkboxes alone work without the map. */
  function areaSelect(map, baseLayers, options) {
    frenchDrawTexts();
    L.drawLocal.draw.toolbar.buttons.polygon = "Tracer une zone de sélection";
    L.drawLocal.draw.toolbar.buttons.rectangle = "Sélectionner dans un rectangle";
    L.drawLocal.draw.handlers.polygon.tooltip.end = "Cliquez sur le premier point pour fermer la zone.";
    var points = listedPoints(map, options);
    var drawn = new L.FeatureGroup().addTo(map);
    var live = map.getContainer().closest(".map-live");
    var status = live && live.querySelector(".map-status");
    function restyle() {
      points.forEach(function (p) {
        var box = p.item.matches("input") ? p.item : p.item.querySelector("input[type=checkbox]");
        p.marker.setStyle(box && box.checked ? CHOSEN_STYLE : POINT_STYLE);
      });
    }
    map.addControl(new L.Control.Draw({
      position: "topleft",
      draw: {
        polygon: { allowIntersection: false, showArea: false, shapeOptions: STYLES.perimeter },
        rectangle: { shapeOptions: STYLES.perimeter },
        polyline: false, circle: false, marker: false, circlemarker: false
      },
      edit: false
    }));
    map.on(L.Draw.Event.CREATED, function (event) {
      drawn.clearLayers();
      drawn.addLayer(event.layer);
      var ticked = 0;
      points.forEach(function (p) {
        if (!insideShape(p.latlng, event.layer)) { return; }
        var box = p.item.matches("input") ? p.item : p.item.querySelector("input[type=checkbox]");
        if (box && !box.checked) {
          box.checked = true;
          box.dispatchEvent(new Event("change", { bubbles: true }));
        }
        ticked += 1;
      });
      restyle();
      if (status) {
        status.textContent = ticked === 0 ? "Aucune contribution dans la zone tracée." :
          (ticked === 1 ? "1 contribution cochée dans la zone tracée." : ticked + " contributions cochées dans la zone tracée.");
      }
      map.getContainer().setAttribute("data-ticked", String(ticked));
    });
    document.addEventListener("change", function (event) {
      if (event.target && event.target.type === "checkbox") { restyle(); }
    });
    restyle();
    return communeLayers(map, baseLayers, { url: options.url, fit: points.length === 0 }).then(function (layers) {
      if (points.length) {
        map.fitBounds(L.latLngBounds(points.map(function (p) { return p.latlng; })), { padding: [24, 24], maxZoom: 18, animate: false });
      }
      map.getContainer().setAttribute("data-points", String(points.length));
      map.getContainer().setAttribute("data-editor", "ready");
      return layers;
    });
  }

  /* A picker map is one Tab stop, the map itself, worked with the keys of pointPicker. Its controls
   * (zoom, layers, credits) stay for pointers and leave the Tab order, which Leaflet fills again
   * whenever it redraws them (the credits at each change of base layer). */
  function oneTabStop(map) {
    var controls = map.getContainer().querySelector(".leaflet-control-container");
    if (!controls) { return; }
    function untab() {
      var items = controls.querySelectorAll("a[href], input, button, select, [tabindex]");
      for (var i = 0; i < items.length; i++) {
        if (items[i].getAttribute("tabindex") !== "-1") { items[i].setAttribute("tabindex", "-1"); }
      }
    }
    untab();
    new MutationObserver(untab).observe(controls, { childList: true, subtree: true });
  }

  /* Clicking the map (or dragging the marker) fills the longitude and latitude fields; typing
   * in the fields moves the marker. The fields work on their own without the map.
   * Keyboard, on the focused map: Enter or Space puts the pin at the centre; the arrows move the
   * pin once there is one (before, they move the map); Shift and the arrows always move the map;
   * + and - zoom (Leaflet). Each position is announced in French in the map's status line. */
  function pointPicker(map, baseLayers, options) {
    var container = map.getContainer();
    var live = container.closest(".map-live");
    var status = live && live.querySelector(".map-status");
    var marker = null;

    function field(name) { return options[name] ? document.getElementById(options[name]) : null; }

    function place(latlng) {
      if (!marker) {
        var label = options.markerLabel || TEXTS.pin;
        marker = L.marker(latlng, {
          icon: new L.Icon.Default({ className: "map-pin" }),   // told apart from the places' markers
          draggable: true, keyboard: false, title: label, alt: label
        }).addTo(map);
        marker.on("dragend", function () { choose(marker.getLatLng()); });
      } else {
        marker.setLatLng(latlng);
      }
    }

    /* The pin goes to latlng, as the fields will hold it (6 decimals); the fields, the "on the
     * map" choice and the announcement follow. */
    function choose(latlng) {
      var lon = Number(latlng.lng.toFixed(6)), lat = Number(latlng.lat.toFixed(6));
      place(L.latLng(lat, lon));
      var lonField = field("lon"), latField = field("lat"), radio = field("check");
      if (lonField) { lonField.value = lon.toFixed(6); }
      if (latField) { latField.value = lat.toFixed(6); }
      if (radio && !radio.checked) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      }
      if (status) { status.textContent = TEXTS.placed + coordsFr(lon, lat); }
    }

    function read() {
      var lonField = field("lon"), latField = field("lat");
      if (!lonField || !latField) { return; }
      var x = parseFloat(String(lonField.value).replace(",", ".")), y = parseFloat(String(latField.value).replace(",", "."));
      if (isFinite(x) && isFinite(y)) { place(L.latLng(y, x)); }
    }

    map.on("click", function (event) { choose(event.latlng); });
    document.addEventListener("change", function (event) {
      var id = event.target && event.target.id;
      if (id && (id === options.lon || id === options.lat)) { read(); }
    });
    /* The map's keys are told in the caption of its figure, which a swap may replace. */
    function describe() {
      var figure = container.closest("figure");
      var caption = figure && figure.querySelector("figcaption");
      if (!caption) { return; }
      if (!caption.id) { caption.id = (live ? live.id : container.id) + "-legende"; }
      container.setAttribute("aria-describedby", caption.id);
    }
    document.addEventListener("htmx:afterSettle", function () { read(); describe(); });   // new fields and caption

    L.DomEvent.on(container, "keydown", function (event) {
      if (event.target !== container || event.altKey || event.ctrlKey || event.metaKey) { return; }
      if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
        L.DomEvent.preventDefault(event);   // Space would scroll the page
        choose(map.getCenter());
      } else if (ARROWS[event.key] && marker && !event.shiftKey) {
        L.DomEvent.stop(event);   // Leaflet's keyboard handler, on the document, would move the map
        var step = ARROWS[event.key];
        var zoom = map.getZoom();   // projected, unrounded pixels: a move right keeps the latitude
        var latlng = map.unproject(map.project(marker.getLatLng(), zoom).add([step[0] * PIN_STEP, step[1] * PIN_STEP]), zoom);
        choose(latlng);
        map.panInside(latlng, { padding: [24, 24] });
      }
    });
    container.setAttribute("role", "application");   // screen readers pass the keys to the map
    container.setAttribute("aria-label", TEXTS.picker);
    describe();
    oneTabStop(map);

    read();
    var lonField = field("lon");
    return communeLayers(map, baseLayers, { url: options.url, fit: !(lonField && lonField.value), keyboard: false });
  }

  /* The engaged communes of a territory, each filled with the colour of its phase (options.colours,
   * by phase code), from options.url (revital/territories/api.py). The page's legend says what
   * each colour means, and its list of communes says it without the map. */
  function communePopup(properties) {
    var box = element("div");
    var title = element("strong");
    var url = String(properties.url || "");
    if (url.indexOf("/communes/") === 0) {
      var link = element("a", properties.name);
      link.href = url;
      title.appendChild(link);
    } else {
      title.textContent = properties.name;
    }
    box.appendChild(title);
    if (properties.label) { box.appendChild(element("p", properties.label)); }
    return box;
  }

  function territoryCommunes(map, baseLayers, options) {
    var colours = options.colours || {};
    var communes = L.geoJSON(null, {
      style: function (feature) {
        var colour = colours[feature.properties.phase] || "#4a4a4a";
        return { color: colour, weight: 2, fillColor: colour, fillOpacity: 0.45 };
      },
      onEachFeature: function (feature, layer) { layer.bindPopup(communePopup(feature.properties)); }
    }).addTo(map);
    layersControl(map, baseLayers, { "Communes engagées": communes });
    return fetch(options.url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        communes.addData(data);
        if (communes.getLayers().length) { map.fitBounds(communes.getBounds(), { padding: [16, 16], animate: false }); }
        map.getContainer().setAttribute("data-communes", String(communes.getLayers().length));
        map.getContainer().setAttribute("data-loaded", "true");
        return communes;
      })
      .catch(function () {
        showProblem(map, "Les communes n’ont pas pu être chargées. Rechargez la page pour réessayer.");
        return communes;
      });
  }

  /* Map scripts run where the map stands in the page, before the form fields that follow it:
   * the behaviours start once the whole document is parsed, with the controls in French. */
  function whenReady(behaviour) {
    function start(map, baseLayers, options) {
      frenchControls(map);
      return behaviour(map, baseLayers, options);
    }
    return function (map, baseLayers, options) {
      if (document.readyState !== "loading") { return start(map, baseLayers, options); }
      return new Promise(function (resolve) {
        document.addEventListener("DOMContentLoaded", function () { resolve(start(map, baseLayers, options)); });
      });
    };
  }

  var BEHAVIOURS = {
    communeLayers: whenReady(communeLayers),
    perimeterEditor: whenReady(perimeterEditor),
    pointPicker: whenReady(pointPicker),
    territoryCommunes: whenReady(territoryCommunes),
    pointsList: whenReady(pointsList),
    areaSelect: whenReady(areaSelect)
  };

  window.Revital = {
    run: function (name, map, baseLayers, options) { return BEHAVIOURS[name](map, baseLayers, options); },
    addLayer: function (name, start) { LAYERS[name] = start; },
    layer: function (name) { return LAYERS[name]; },
    util: { element: element, formatNumber: formatNumber, showProblem: showProblem, coordsFr: coordsFr }
  };
})();
