// Small behaviours bound to data-* attributes, initialised when htmx has processed new content.
// No inline scripts, nothing the Content-Security-Policy forbids.
(function () {
  "use strict";
  const behaviours = {};
  window.orderhub = { behaviours: behaviours };

  function init(root) {
    Object.keys(behaviours).forEach(function (name) {
      const selector = "[data-" + name + "]";
      const found = root.matches && root.matches(selector) ? [root] : [];
      root.querySelectorAll(selector).forEach(function (el) { found.push(el); });
      found.forEach(function (el) {
        const flag = "ohBound" + name.replace(/(^|-)(\w)/g, function (_, __, c) { return c.toUpperCase(); });
        if (el.dataset[flag]) return;
        el.dataset[flag] = "1";
        behaviours[name](el);
      });
    });
  }
  window.orderhub.init = init;

  // A section that needs a script only it uses names it (data-load-script="/assets/push.js?v=…", one
  // of our own versioned files): loaded once, then what it registered is bound on the whole page.
  const loading = {};
  behaviours["load-script"] = function (el) {
    const src = el.dataset.loadScript || "";
    if (!/^\/assets\/[a-z]+\.js\?v=[0-9a-f]+$/.test(src) || loading[src]) return;
    loading[src] = true;
    const script = document.createElement("script");
    script.src = src;
    script.addEventListener("load", function () { init(document.body); });
    document.head.appendChild(script);
  };
  document.addEventListener("htmx:after:process", function (evt) { init(evt.target || document.body); });
  document.addEventListener("DOMContentLoaded", function () { init(document.body); });
})();
