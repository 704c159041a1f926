// The admin shows each date and time in a named time zone (a meeting's in its series' zone, the
// others in the person's own), said in the field's help text. Django's "You are N hours ahead of
// server time" note compares with the browser's zone instead, which says nothing useful here.
"use strict";
if (window.DateTimeShortcuts) {
  window.DateTimeShortcuts.addTimezoneWarning = function () {};
}
