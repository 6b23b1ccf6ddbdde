// The booking form, enhanced: only the fields of the chosen kind of location show (the others are
// disabled, so they are not sent), and an address is pinned on a map. Without JavaScript every field
// shows and the typed latitude and longitude work as before; the server ignores the other kinds.
(function () {
  "use strict";
  var BRAND = "#0b5d4b", ACCENT = "#8a4b00", INK = "#1b1f24";

  function townData() {
    var el = document.getElementById("booking-map-data");
    return el ? JSON.parse(el.textContent) : { places: [], communities: [], home: null };
  }

  function parse(input) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isNaN(value) ? null : value;
  }

  // Without tiles: a light grid about every 500 m (0.005°) so that distance still reads.
  function drawGrid(L, map, bounds) {
    var box = bounds.pad(1), step = 0.005;
    while ((box.getNorth() - box.getSouth()) / step > 80 || (box.getEast() - box.getWest()) / step > 80) { step *= 2; }
    var s = Math.floor(box.getSouth() / step) * step, n = Math.ceil(box.getNorth() / step) * step;
    var w = Math.floor(box.getWest() / step) * step, e = Math.ceil(box.getEast() / step) * step;
    var lines = [], x;
    for (x = s; x <= n + 1e-9; x += step) { lines.push([[x, w], [x, e]]); }
    for (x = w; x <= e + 1e-9; x += step) { lines.push([[s, x], [n, x]]); }
    L.polyline(lines, { color: "#c9d1d9", weight: 1, interactive: false }).addTo(map);
  }

  // Names stay on the map once zoomed in enough for them not to cover each other; before that a
  // tap (or hover) on a point shows its name.
  function labeller(map) {
    var labels = [];
    function apply(item) {
      item.marker.unbindTooltip();
      item.marker.bindTooltip(item.text, {
        permanent: map.getZoom() >= item.from, direction: "right", offset: [8, 0], className: "map-label " + item.className
      });
    }
    map.on("zoomend", function () { labels.forEach(apply); });
    return function (marker, text, className, from) {
      var item = { marker: marker, text: text, className: className, from: from };
      labels.push(item);
      apply(item);
    };
  }

  function initMap(el) {
    var L = window.L;
    if (!L || el.dataset.ready) { return; }
    el.dataset.ready = "1";
    el.hidden = false;
    var hint = document.getElementById(el.getAttribute("aria-describedby"));
    if (hint) { hint.hidden = false; }
    var legend = el.parentNode.querySelector(".map-legend");
    if (legend) { legend.hidden = false; }
    var latInput = document.getElementById(el.dataset.latInput);
    var lonInput = document.getElementById(el.dataset.lonInput);
    var data = townData();
    var tiles = el.dataset.tiles;
    L.Icon.Default.imagePath = el.dataset.images;
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!tiles, zoomSnap: 0.5 });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    } else {
      el.classList.add("pin-map-offline");
    }
    L.control.scale({ imperial: false }).addTo(map);
    var points = [], label = labeller(map);
    data.communities.forEach(function (c) {
      points.push(c.at);
      var m = L.circleMarker(c.at, { radius: 5, color: ACCENT, weight: 2, fillColor: "#fff", fillOpacity: 1 }).addTo(map);
      label(m, c.name, "map-label-community", 16);
    });
    data.places.forEach(function (p) {
      points.push(p.at);
      var m = L.circleMarker(p.at, { radius: 7, color: BRAND, weight: 2, fillColor: BRAND, fillOpacity: 0.85 }).addTo(map);
      label(m, p.name, "map-label-place", 15);
    });
    if (data.home) {
      points.push(data.home);
      var home = L.circleMarker(data.home, { radius: 9, color: INK, weight: 3, fillColor: "#ffbf47", fillOpacity: 1 }).addTo(map);
      label(home, el.dataset.labelHome, "map-label-home", 0);
    }
    var townBounds = points.length ? L.latLngBounds(points) : null;
    if (!tiles && townBounds) { drawGrid(L, map, townBounds); }

    var pin = null;
    function fill(latlng) {
      latInput.value = latlng.lat.toFixed(6);
      lonInput.value = latlng.lng.toFixed(6);
      latInput.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function place(latlng) {
      if (pin) { pin.setLatLng(latlng); return; }
      pin = L.marker(latlng, { draggable: true, autoPan: true, title: el.dataset.labelPin, keyboard: false }).addTo(map);
      pin.on("dragend", function () { fill(pin.getLatLng()); });
    }
    map.on("click", function (event) { place(event.latlng); fill(event.latlng); });
    // With the keyboard: the arrow keys move the map (Leaflet), Enter pins its centre.
    el.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.target !== el) { return; }
      event.preventDefault();
      place(map.getCenter());
      fill(map.getCenter());
    });
    function fromInputs() {
      var lat = parse(latInput), lon = parse(lonInput);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return false; }
      place([lat, lon]);
      return true;
    }
    [latInput, lonInput].forEach(function (input) {
      input.addEventListener("input", function () { if (fromInputs()) { map.panTo(pin.getLatLng()); } });
    });
    var typed = fromInputs();
    if (townBounds) {
      if (typed) { townBounds.extend(pin.getLatLng()); }
      map.fitBounds(townBounds, { padding: [24, 24], maxZoom: 17 });
    } else if (typed) {
      map.setView(pin.getLatLng(), 16);
    } else {
      map.setView([13.75, 100.5], 6);  // Thailand, when the town has nothing on the map yet
    }
    el._pinMap = map;
  }

  function showKind(fieldset) {
    var checked = fieldset.querySelector('input[type="radio"][name$="_kind"]:checked');
    var kind = checked ? checked.value : null;
    fieldset.querySelectorAll(".loc-part").forEach(function (part) {
      var on = kind === null || part.dataset.kind === kind;
      part.hidden = !on;
      part.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !on; });
    });
    var el = fieldset.querySelector(".pin-map");
    if (el && kind === "address") {
      if (el._pinMap) { el._pinMap.invalidateSize(); } else { initMap(el); }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset[data-location]").forEach(function (fieldset) {
      fieldset.addEventListener("change", function (event) {
        if (event.target.matches('input[type="radio"][name$="_kind"]')) { showKind(fieldset); }
      });
      showKind(fieldset);
    });
  });
})();
