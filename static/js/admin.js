// Accessibility fixes to the Django admin, loaded on every admin page.
// The autocomplete widget (Select2) names its combobox and its value box after the selected value
// only; point them at the field's label too, so a screen reader says which field it is.
"use strict";
(function () {
  function nameComboboxes(root) {
    root.querySelectorAll("select.admin-autocomplete, select.searchable-select").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      var container = select.nextElementSibling;
      if (!label || !container) return;
      if (!label.id) label.id = select.id + "-label";
      container.querySelectorAll('[role="combobox"], [role="textbox"]').forEach(function (el) {
        var current = el.getAttribute("aria-labelledby") || "";
        if (current.split(" ").indexOf(label.id) === -1) {
          el.setAttribute("aria-labelledby", (label.id + " " + current).trim());
        }
      });
    });
  }
  // Select2 builds its widgets from a jQuery ready handler, which may run after "load", and again
  // for every inline row added; so watch for them instead of waiting for an event.
  document.addEventListener("DOMContentLoaded", function () {
    nameComboboxes(document);
    new MutationObserver(function (changes) {
      if (changes.some(function (c) { return c.addedNodes.length; })) nameComboboxes(document);
    }).observe(document.body, {childList: true, subtree: true});
  });
})();
