/* 12349 console: running timers on open incidents and keyboard shortcuts. No data reaches innerHTML:
   timers write textContent only; the live queue itself is swapped in by HTMX from server HTML. */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-since"));
      if (isNaN(since)) return;
      var secs = Math.max(0, Math.floor((now - since) / 1000));
      var h = Math.floor(secs / 3600), m = Math.floor((secs % 3600) / 60), s = secs % 60;
      el.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
      var limit = parseInt(el.getAttribute("data-limit-min") || "0", 10);
      if (limit && secs > limit * 60) el.classList.add("timer-over");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    document.addEventListener("keydown", function (ev) {
      var tag = (ev.target && ev.target.tagName) || "";
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
      if (ev.key === "/" || ev.key === "n") {
        var field = document.getElementById("call-number");
        if (field) { ev.preventDefault(); field.focus(); }
      } else if (ev.key === "i") {
        var first = document.querySelector("[data-incident-link]");
        if (first) { ev.preventDefault(); first.focus(); }
      }
    });
  });
})();
