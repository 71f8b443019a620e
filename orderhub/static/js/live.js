// Live regions (orderhub/site/live.py): mark the SSE connector open/closed, so styles and tests
// can tell whether updates arrive by server-sent events or by the polling fallback.
(function () {
  "use strict";
  function mark(evt, state) {
    const el = evt.target;
    if (el && el.hasAttribute && el.hasAttribute("data-live")) el.dataset.live = state;
  }
  document.addEventListener("htmx:sse:after:connection", function (evt) { mark(evt, "connected"); });
  document.addEventListener("ready", function (evt) { mark(evt, "open"); });
  document.addEventListener("htmx:sse:close", function (evt) { mark(evt, "closed"); });
  document.addEventListener("htmx:sse:error", function (evt) { mark(evt, "error"); });
})();
