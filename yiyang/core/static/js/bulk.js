/* Bulk selection: a checkbox with data-check-all="NAME" ticks or clears every checkbox named NAME in
   its form. Delegated, so it keeps working after htmx swaps the list. */
(function () {
  "use strict";
  document.addEventListener("change", function (evt) {
    var box = evt.target;
    if (!box || !box.hasAttribute || !box.hasAttribute("data-check-all")) return;
    var scope = box.form || document;
    var name = box.getAttribute("data-check-all");
    scope.querySelectorAll("input[type=checkbox]").forEach(function (other) {
      if (other.name === name) other.checked = box.checked;
    });
  });
})();
