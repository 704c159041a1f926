// The attendance sheet's "Tick everyone" and "Untick everyone" buttons (hidden without script).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var tools = document.getElementById("attendance-tools");
  if (!tools) return;
  tools.hidden = false;
  tools.querySelectorAll("button[data-tick]").forEach(function (button) {
    button.addEventListener("click", function () {
      var value = button.dataset.tick === "all";
      document.querySelectorAll('#attendance-sheet input[name="present"]:not(:disabled)').forEach(function (box) {
        box.checked = value;
      });
    });
  });
});
