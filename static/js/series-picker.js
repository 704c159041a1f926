// The meeting series' recurrence picker: show only the questions that apply to the chosen
// frequency (every week: the days; every month or year: a weekday of the month or a date). Without
// script every question shows, each labelled with when it applies.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var repeat = document.getElementById("id_repeat");
  if (!repeat) return;
  function row(name) {
    var field = document.querySelector(".field-" + name);
    return field && (field.closest(".form-row") || field);
  }
  function chosen(name) {
    var box = document.querySelector('input[name="' + name + '"]:checked');
    return box ? box.value : "";
  }
  function update() {
    var freq = repeat.value;
    var picked = freq === "WEEKLY" || freq === "MONTHLY" || freq === "YEARLY";
    var byDate = chosen("monthly_by") === "date";
    var shown = {
      interval: picked,
      weekdays: freq === "WEEKLY",
      monthly_by: freq === "MONTHLY" || freq === "YEARLY",
      week_of_month: (freq === "MONTHLY" || freq === "YEARLY") && !byDate,
      weekday: (freq === "MONTHLY" || freq === "YEARLY") && !byDate,
      month_day: (freq === "MONTHLY" || freq === "YEARLY") && byDate,
      month: freq === "YEARLY"
    };
    Object.keys(shown).forEach(function (name) {
      var r = row(name);
      if (r) r.classList.toggle("hidden", !shown[name]);
    });
    if (freq === "custom") {
      var advanced = document.querySelector(".field-rrule");
      var details = advanced && advanced.closest("details");
      if (details) details.open = true;
    }
  }
  repeat.addEventListener("change", update);
  document.querySelectorAll('input[name="monthly_by"]').forEach(function (box) {
    box.addEventListener("change", update);
  });
  update();
});
