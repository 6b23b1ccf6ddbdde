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
  // Tables scroll inside their own box on a phone: wrap any table that has no .table-wrap.
  function wrapTables(root) {
    (root || document).querySelectorAll("main table").forEach(function (table) {
      var parent = table.parentElement;
      if (!parent || parent.classList.contains("table-wrap")) { return; }
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      wrap.tabIndex = 0;  // a scrolling box must be reachable by keyboard
      parent.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
  }
  // A service's own section links: mark the one for this page.
  function markSubnav() {
    var path = window.location.pathname, best = null;
    document.querySelectorAll(".subnav a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (path.indexOf(href) === 0 && (!best || href.length > best.getAttribute("href").length)) { best = a; }
    });
    if (best && !document.querySelector(".subnav a[aria-current]")) { best.setAttribute("aria-current", "page"); }
  }
  // On a phone the menu is a scrolling row: bring the current entry into view.
  function showCurrentNav() {
    var current = document.querySelector(".mainnav a[aria-current]");
    var row = current && current.closest("ul");
    if (row && row.scrollWidth > row.clientWidth) {
      row.scrollLeft = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
    }
  }
  document.addEventListener("DOMContentLoaded", function () { wrapTables(); markSubnav(); showCurrentNav(); });
  document.addEventListener("htmx:load", function (event) { wrapTables(event.detail && event.detail.elt && event.detail.elt.parentElement); });
  document.addEventListener("DOMContentLoaded", initMaps);
  document.addEventListener("htmx:load", initMaps);
})();
