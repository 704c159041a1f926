// Turns the admin's select.searchable-select (a long list: time zones) into a search box with the
// admin's own Select2. Without script it stays a plain select.
"use strict";
window.addEventListener("load", function () {
  var $ = window.django && window.django.jQuery;
  if (!$ || !$.fn.select2) return;
  $("select.searchable-select").each(function () {
    $(this).select2({width: "20em"});
  });
});
