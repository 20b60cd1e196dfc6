// admit: the browser's time zone, proposed where a form asks for one.
// Every empty input marked data-browser-zone (the hidden field of set-up,
// sign-in and invitation, an unset zone in Settings or the schedule form)
// gets the IANA name the browser reports; the server checks it. A link
// marked data-browser-zone="name" (the sign-in with the identity provider,
// a link because the pages' form-action 'self' would stop a form's
// redirect to the provider) gets it as the query parameter name.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone) { return; }
  document.querySelectorAll("input[data-browser-zone]").forEach(function (el) {
    if (!el.value) { el.value = zone; }
  });
  document.querySelectorAll("a[data-browser-zone]").forEach(function (el) {
    var u = new URL(el.href, location.href);
    if (!u.searchParams.has(el.dataset.browserZone)) {
      u.searchParams.set(el.dataset.browserZone, zone);
      el.href = u.pathname + u.search + u.hash;
    }
  });
})();
