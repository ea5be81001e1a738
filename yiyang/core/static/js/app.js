/* Page behaviours shared by every page, written as data attributes instead of inline script or
   htmx's evaluated attributes (the Content-Security-Policy allows no inline script and no eval).
   - data-pause-when-focused: an element's polling request is skipped while focus is inside it.
   - data-pause-when-checked: ... and while a checkbox inside it is ticked (a bulk selection).
   - data-tab-link: after its htmx request, the link becomes the active tab of its parent. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var el = evt.detail && evt.detail.elt;
    if (el && el.hasAttribute && el.hasAttribute("data-pause-when-focused") &&
        el.contains(document.activeElement) && document.activeElement !== el) {
      evt.preventDefault();
    }
    // data-pause-when-checked: polling would wipe a selection the user is making for a bulk action.
    if (el && el.hasAttribute && el.hasAttribute("data-pause-when-checked") &&
        el.querySelector("input[type=checkbox]:checked")) {
      evt.preventDefault();
    }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var el = evt.detail && evt.detail.elt;
    if (!el || !el.hasAttribute || !el.hasAttribute("data-tab-link") || !evt.detail.successful) return;
    el.parentNode.querySelectorAll("a").forEach(function (a) {
      a.classList.remove("is-active");
      a.removeAttribute("aria-current");
    });
    el.classList.add("is-active");
    el.setAttribute("aria-current", "page");
  });
})();
