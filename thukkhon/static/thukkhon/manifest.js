// The driver's manifest: taps survive a flaky connection.
//
// Each tap (arrive, picked up, dropped off, no-show, on my way: one form per stop, a button per
// action with its own formaction) gets its own idempotency key (a UUID made on the phone) and the time of the tap, and goes into a queue in localStorage before it
// is sent. The queue is sent in order; a network failure or a server error keeps the tap and tries
// again later with exponential backoff (1 s, 2 s, 4 s … at most 60 s) and at once when the phone
// comes back online. Because the key travels with every retry, the server records the tap once.
// A refusal (HTTP 4xx) drops the tap and shows the reason. Without JavaScript the same forms are
// plain POSTs.
(function () {
  "use strict";
  var STORE = "thukkhon.manifest.queue";
  var MAX_DELAY = 60000;
  var root = document.querySelector("[data-manifest]");
  if (!root) { return; }
  var box = document.getElementById("manifest-stops");
  var banner = document.getElementById("manifest-queue");
  var sending = false;
  var timer = null;

  function load() {
    try { return JSON.parse(window.localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function save(queue) {
    try { window.localStorage.setItem(STORE, JSON.stringify(queue)); } catch (e) { /* full or private mode */ }
  }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function say(text) {
    if (!banner) { return; }
    banner.textContent = text;
    banner.hidden = !text;
  }
  function showPending() {
    var queue = load();
    document.querySelectorAll(".stop-card.is-queued").forEach(function (el) { el.classList.remove("is-queued"); });
    queue.forEach(function (item) {
      var card = document.getElementById("stop-" + item.stop);
      if (card) {
        card.classList.add("is-queued");
        card.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      }
    });
    if (queue.length && banner) {
      say((banner.dataset.pending || "%(n)s").replace("%(n)s", String(queue.length)));
    } else if (banner && !banner.dataset.sticky) {
      say("");
    }
  }
  function refresh() {
    var url = root.dataset.stopsUrl;
    if (!url || !box) { return Promise.resolve(); }
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { box.innerHTML = html; showPending(); } })
      .catch(function () { /* offline: keep what is shown */ });
  }
  function schedule(delay) {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { timer = null; flush(); }, delay);
  }
  function flush() {
    if (sending) { return; }
    var queue = load();
    if (!queue.length) { showPending(); return; }
    var item = queue[0];
    var wait = (item.next || 0) - Date.now();
    if (wait > 0) { schedule(wait); return; }
    sending = true;
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf());
    body.append("key", item.key);
    body.append("at", item.at);
    fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "Idempotency-Key": item.key, "X-CSRFToken": csrf() }
    }).then(function (r) {
      if (r.status >= 500 || r.status === 0) { throw new Error("server " + r.status); }
      return r.json().catch(function () { return { ok: r.ok }; }).then(function (data) {
        var rest = load().filter(function (x) { return x.key !== item.key; });
        save(rest);
        if (!r.ok && banner) {
          banner.dataset.sticky = "1";
          say((banner.dataset.refused || "") + " " + (data.error || r.status));
        }
      });
    }).then(function () {
      sending = false;
      if (load().length) { flush(); } else { refresh(); }
    }, function () {
      sending = false;
      var current = load();
      if (current.length && current[0].key === item.key) {
        current[0].tries = (current[0].tries || 0) + 1;
        var delay = Math.min(MAX_DELAY, 1000 * Math.pow(2, current[0].tries - 1));
        current[0].next = Date.now() + delay + Math.floor(Math.random() * 250);
        save(current);
      }
      showPending();
      flush();
    });
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-tap]");
    if (!form) { return; }
    var button = event.submitter || form.querySelector("button[data-action]");
    event.preventDefault();
    if (!button) { return; }
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) { return; }
    var card = form.closest("[data-stop]");
    var queue = load();
    queue.push({
      url: button.formAction || form.action,
      key: uuid(),
      at: new Date().toISOString(),
      stop: card ? card.dataset.stop : "",
      action: button.dataset.action || "",
      tries: 0,
      next: 0
    });
    save(queue);
    if (banner) { delete banner.dataset.sticky; }
    showPending();
    flush();
  });
  window.addEventListener("online", function () {
    var queue = load().map(function (item) { item.next = 0; return item; });
    save(queue);
    flush();
  });
  showPending();
  flush();
})();
