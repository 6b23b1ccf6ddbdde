// Small helpers only; every page works without JavaScript.
(function () {
  "use strict";
  // After an htmx swap of search results, tell screen readers how many were found.
  document.addEventListener("htmx:afterSwap", function (event) {
    var status = event.detail.target.querySelector("[data-live-status]");
    var live = document.getElementById("live-status");
    if (status && live) { live.textContent = status.textContent.trim(); }
  });
  // Leaflet maps: <div class="map" data-lat data-lng data-label data-tiles data-attribution>.
  function initMaps() {
    if (!window.L) { return; }
    document.querySelectorAll(".map[data-lat]").forEach(function (el) {
      if (el.dataset.ready) { return; }
      el.dataset.ready = "1";
      var lat = parseFloat(el.dataset.lat), lng = parseFloat(el.dataset.lng);
      var map = window.L.map(el, { scrollWheelZoom: false }).setView([lat, lng], 17);
      if (el.dataset.tiles) {
        window.L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
      }
      window.L.Icon.Default.imagePath = el.dataset.images;
      window.L.marker([lat, lng], { title: el.dataset.label || "" }).addTo(map);
    });
  }
  document.addEventListener("DOMContentLoaded", initMaps);
  document.addEventListener("htmx:load", initMaps);
})();
