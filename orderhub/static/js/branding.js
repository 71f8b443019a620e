// Branding editor: keep each colour picker and its text box in step. The text box is what counts:
// without JavaScript the server takes whichever of the two changed (`<name>_was` says what the page
// showed); with it, the picker writes into the text box and `_was` is cleared so the text box wins.
(function () {
  "use strict";
  const HEX = /^#[0-9a-fA-F]{6}$/;
  window.orderhub.behaviours["branding-color"] = function (el) {
    const picker = el.querySelector('input[type="color"]');
    const text = el.querySelector('input[type="text"]');
    const was = el.querySelector('input[type="hidden"]');
    if (!picker || !text || !was) return;
    was.value = "";
    picker.addEventListener("input", function () { text.value = picker.value.toUpperCase(); });
    text.addEventListener("input", function () {
      const value = text.value.trim();
      if (HEX.test(value)) picker.value = value.toLowerCase();
    });
  };
})();
