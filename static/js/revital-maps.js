/* Revital map behaviours, on top of Leaflet (and Leaflet.draw for the perimeter editor).
 * Pages call these from a small inline script (with the page's CSP nonce) that folium renders.
 * Resident text reaches the map only through textContent: never as HTML. */
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

  function element(tag, text) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    return node;
  }

  function placePopup(properties) {
    var box = element("div");
    box.appendChild(element("strong", properties.name));
    if (properties.description) { box.appendChild(element("p", properties.description)); }
    return box;
  }

  function showProblem(map, message) {
    var note = element("p", message);
    note.className = "map-problem";
    note.setAttribute("role", "status");
    map.getContainer().parentNode.appendChild(note);
  }

  /* Boundary, perimeter and places, fetched from the commune's GeoJSON endpoint. */
  function communeLayers(map, baseLayers, options) {
    var layers = {
      boundary: L.geoJSON(null, { style: STYLES.boundary, interactive: false }),
      perimeter: L.geoJSON(null, { style: STYLES.perimeter, interactive: false }),
      places: L.geoJSON(null, {
        pointToLayer: function (feature, latlng) {
          return L.marker(latlng, { title: feature.properties.name, alt: feature.properties.name, keyboard: true });
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
    var control = L.control.layers(baseLayers, overlays, { collapsed: false }).addTo(map);
    if (options.contributions && window.RevitalContributions) {
      window.RevitalContributions.layer(map, L.extend({ control: control }, options.contributions));
    }
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
        if (options.fit !== false && focus.getLayers().length) {
          map.fitBounds(focus.getBounds(), { padding: [16, 16] });
        }
        map.getContainer().setAttribute("data-loaded", "true");
        return layers;
      })
      .catch(function () {
        showProblem(map, "Les contours de la commune n’ont pas pu être chargés. Rechargez la page pour réessayer.");
        return layers;
      });
  }

  function frenchDrawTexts() {
    if (!L.drawLocal) { return; }
    var draw = L.drawLocal.draw, edit = L.drawLocal.edit;
    draw.toolbar.buttons.polygon = "Tracer le périmètre";
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

  /* The commune admin draws or edits the perimeter; the GeoJSON goes into a form field. */
  function perimeterEditor(map, baseLayers, options) {
    frenchDrawTexts();
    var field = document.getElementById(options.field);
    var editable = new L.FeatureGroup().addTo(map);
    function sync() {
      var drawn = editable.getLayers();
      field.value = drawn.length ? JSON.stringify(drawn[drawn.length - 1].toGeoJSON().geometry) : "";
      field.dispatchEvent(new Event("change"));
    }
    var control = new L.Control.Draw({
      position: "topleft",
      draw: {
        polygon: { allowIntersection: false, showArea: true, shapeOptions: STYLES.perimeter },
        rectangle: { shapeOptions: STYLES.perimeter },
        polyline: false, circle: false, marker: false, circlemarker: false
      },
      edit: { featureGroup: editable }
    });
    map.addControl(control);
    map.on(L.Draw.Event.CREATED, function (event) { editable.clearLayers(); editable.addLayer(event.layer); sync(); });
    map.on(L.Draw.Event.EDITED, sync);
    map.on(L.Draw.Event.DELETED, sync);
    return communeLayers(map, baseLayers, { url: options.url, skip: ["perimeter"] }).then(function (layers) {
      layers.perimeter.eachLayer(function (layer) {
        layer.getLatLngs().forEach(function (rings) {
          editable.addLayer(L.polygon(rings, STYLES.perimeter));
        });
      });
      if (editable.getLayers().length) { map.fitBounds(editable.getBounds(), { padding: [16, 16] }); }
      map.getContainer().setAttribute("data-editor", "ready");
      return layers;
    });
  }

  /* Clicking the map (or dragging the marker) fills the longitude and latitude fields; typing
   * in the fields moves the marker. The fields work on their own without the map. */
  function pointPicker(map, baseLayers, options) {
    var lon = document.getElementById(options.lon), lat = document.getElementById(options.lat);
    var marker = null;
    function place(latlng) {
      if (!marker) {
        marker = L.marker(latlng, { draggable: true, keyboard: true, title: "Position choisie" }).addTo(map);
        marker.on("dragend", function () { write(marker.getLatLng()); });
        if (options.markerLabel) { marker.getElement().setAttribute("aria-label", options.markerLabel); }
      } else {
        marker.setLatLng(latlng);
      }
    }
    function write(latlng) {
      lon.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
    }
    function read() {
      var x = parseFloat(String(lon.value).replace(",", ".")), y = parseFloat(String(lat.value).replace(",", "."));
      if (isFinite(x) && isFinite(y)) { place(L.latLng(y, x)); }
    }
    map.on("click", function (event) {
      place(event.latlng);
      write(event.latlng);
      var radio = options.check && document.getElementById(options.check);
      if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    });
    lon.addEventListener("change", read);
    lat.addEventListener("change", read);
    read();
    return communeLayers(map, baseLayers, { url: options.url, fit: !lon.value });
  }

  /* Map scripts run where the map stands in the page, before the form fields that follow it:
   * the behaviours start once the whole document is parsed. */
  function whenReady(behaviour) {
    return function (map, baseLayers, options) {
      if (document.readyState !== "loading") { return behaviour(map, baseLayers, options); }
      return new Promise(function (resolve) {
        document.addEventListener("DOMContentLoaded", function () { resolve(behaviour(map, baseLayers, options)); });
      });
    };
  }

  window.Revital = {
    communeLayers: whenReady(communeLayers),
    perimeterEditor: whenReady(perimeterEditor),
    pointPicker: whenReady(pointPicker)
  };
})();
