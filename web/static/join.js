// admit: the participant's status page follows the host's decision. The
// server streams the participant's state (server-sent events); when it is no
// longer the state the page shows, the page loads again. Without JavaScript
// the page refreshes itself every few seconds instead (<noscript> meta).
(function () {
  "use strict";
  var el = document.getElementById("status");
  if (!el || !window.EventSource) return;
  var url = el.getAttribute("data-events");
  var shown = el.getAttribute("data-state");
  if (!url) return;
  var es = new EventSource(url);
  // Leaving (a form) goes its own way: no reload races it.
  document.addEventListener("submit", function () { es.close(); });
  es.addEventListener("status", function (e) {
    if (e.data !== shown) {
      es.close();
      window.location.reload();
    }
  });
})();
