// Connects a pickup live region to its server-sent events once the hx-sse extension is surely
// registered. htmx 4 initialises in a timer that can run between two deferred scripts, i.e. before
// hx-sse.min.js has registered itself; an `hx-sse:connect` present in the HTML at that moment is
// fetched by htmx core as a plain request and never opens. Behaviours bind at DOMContentLoaded at
// the earliest (after every deferred script ran), so setting the attribute here is race-free.
(function () {
  "use strict";
  window.orderhub.behaviours["live-connect"] = function (el) {
    el.setAttribute("hx-sse:connect", el.dataset.liveConnect);
    if (el.dataset.liveClose) el.setAttribute("hx-sse:close", el.dataset.liveClose);
    window.htmx.process(el);
  };
})();
