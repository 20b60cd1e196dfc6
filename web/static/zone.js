// admit: the browser's time zone, proposed where a form asks for one.
// Every empty input marked data-browser-zone (the hidden field of set-up,
// sign-in and invitation, an unset zone in Settings or the schedule form)
// gets the IANA name the browser reports; the server checks it.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone) { return; }
  document.querySelectorAll("input[data-browser-zone]").forEach(function (el) {
    if (!el.value) { el.value = zone; }
  });
})();
