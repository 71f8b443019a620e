// Feedback: after htmx swaps the survey card or the review in, move the keyboard / screen-reader
// focus to its heading (the button that was pressed is gone). Only swapped-in content carries
// data-focus-here, so a normal page load never moves the focus.
(function () {
  "use strict";
  if (!window.orderhub) return;
  window.orderhub.behaviours["focus-here"] = function (el) {
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: false });
  };
})();
