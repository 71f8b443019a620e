// Staff console behaviours: camera scanning of pickup and return QR codes (BarcodeDetector, where the browser
// has it; typing the code always works) and a visible + audible alert when a new customer arrives.
(function () {
  "use strict";
  const B = window.orderhub.behaviours;

  B["staff-scan"] = function (form) {
    const start = form.querySelector("[data-scan-start]");
    const stop = form.querySelector("[data-scan-stop]");
    const view = form.querySelector("[data-scan-view]");
    const video = form.querySelector("[data-scan-video]");
    const input = form.querySelector("input[name=code]");
    // what the codes this form takes start with, space-separated (a pickup's QR_PREFIX, a return's
    // "RMA:"), given by the page
    const prefixes = (form.dataset.scanPrefix || "").toUpperCase().split(/\s+/).filter(Boolean);
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !start) return;
    let stream = null, timer = null;
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    function halt() {
      if (timer) clearInterval(timer);
      timer = null;
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      view.hidden = true;
      start.hidden = false;
    }
    start.hidden = false;
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s;
        video.srcObject = s;
        view.hidden = false;
        start.hidden = true;
        video.play();
        timer = setInterval(function () {
          detector.detect(video).then(function (codes) {
            const hit = codes.find(function (c) {
              const raw = (c.rawValue || "").toUpperCase();
              return prefixes.some(function (p) { return raw.indexOf(p) === 0; });
            });
            if (hit) { input.value = hit.rawValue; halt(); form.requestSubmit(); }
          }).catch(function () {});
        }, 250);
      }).catch(function () { halt(); input.focus(); });
    });
    stop.addEventListener("click", halt);
    window.addEventListener("pagehide", halt);
  };

  let known = null;
  function beep() {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      const ctx = beep.ctx || (beep.ctx = new Ctx());
      [0, 0.25].forEach(function (at) {
        const osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.2, ctx.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + at + 0.2);
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + at);
        osc.stop(ctx.currentTime + at + 0.2);
      });
    } catch (e) { /* sound is a bonus; the visible alert stays */ }
  }
  // browsers allow sound only after a user gesture: unlock it on the first tap
  document.addEventListener("pointerdown", function () {
    if (!document.querySelector("[data-staff-alert]")) return;  // only the clerk's queue beeps
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (Ctx && !beep.ctx) { try { beep.ctx = new Ctx(); } catch (e) { /* ignore */ } }
  });

  B["staff-alert"] = function (queue) {
    const ids = (queue.dataset.arrivedIds || "").trim().split(/\s+/).filter(Boolean);
    const fresh = known === null ? [] : ids.filter(function (id) { return known.indexOf(id) < 0; });
    known = ids;
    if (fresh.length) {
      queue.classList.add("staff-queue--alert");
      queue.dataset.alerted = "true";
      beep();
      if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
    }
  };
})();
