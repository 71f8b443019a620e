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

// Connect a live region to its server-sent events once the hx-sse extension is surely registered.
// htmx 4 initialises in a timer that can run between two deferred scripts, before hx-sse.min.js has
// registered itself; an `hx-sse:connect` already in the HTML at that moment is fetched by htmx core
// as a plain request and never opens. Behaviours bind at DOMContentLoaded at the earliest (after
// every deferred script ran), so templates write data-live-connect and this sets the attribute.
(function () {
  "use strict";
  window.orderhub.behaviours["live-connect"] = function (el) {
    el.setAttribute("hx-sse:connect", el.dataset.liveConnect);
    if (el.dataset.liveClose) el.setAttribute("hx-sse:close", el.dataset.liveClose);
    window.htmx.process(el);
  };
})();
