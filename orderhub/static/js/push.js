// "Notify me" (browser notifications): progressive. The button stays hidden unless this browser can
// take Web Push; a click asks for permission, registers /sw.js, subscribes with the server's VAPID
// key and posts the subscription (CSRF header) to the order's hub; the panel comes back and is
// swapped in. "Turn off" is an ordinary form (works without JavaScript); here it also ends this
// browser's own subscription and names it, so only this browser is removed.
(function () {
  "use strict";
  const behaviours = window.orderhub && window.orderhub.behaviours;
  if (!behaviours) return;

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window && window.isSecureContext;
  }
  function keyBytes(text) {
    const padded = (text.trim() + "===".slice((text.trim().length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}")["x-csrftoken"] || ""; }
    catch (e) { return ""; }
  }
  function current() {
    if (!supported()) return Promise.resolve(null);
    return navigator.serviceWorker.getRegistration("/").then(function (reg) {
      return reg ? reg.pushManager.getSubscription() : null;
    });
  }
  function swap(panel, html) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const fresh = holder.content.firstElementChild;
    if (!fresh || !panel) return;
    panel.replaceWith(fresh);
    if (window.htmx && window.htmx.process) window.htmx.process(fresh);
    window.orderhub.init(fresh);
  }
  function say(button, name) {
    const note = button.parentElement.querySelector("[data-push-note='" + name + "']");
    if (note) note.hidden = false;
  }

  behaviours["push"] = function (button) {
    if (!supported()) return;
    if (Notification.permission === "denied") { say(button, "blocked"); return; }
    current().then(function (sub) {
      // this browser already gets them (and the server knows it): nothing to offer
      if (!(sub && button.dataset.pushOn === "true")) button.hidden = false;
    }).catch(function () { button.hidden = false; });
    button.addEventListener("click", function () {
      button.disabled = true;
      const panel = button.closest("[data-push-panel]");
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") { say(button, "blocked"); throw new Error("no permission"); }
        return navigator.serviceWorker.register("/sw.js", { scope: "/" });
      }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (reg) {
        return reg.pushManager.getSubscription().then(function (sub) {
          if (sub) return sub;
          return fetch(button.dataset.pushKey, { credentials: "same-origin" }).then(function (r) {
            if (!r.ok) throw new Error("no key");
            return r.text();
          }).then(function (key) {
            return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
          });
        });
      }).then(function (sub) {
        return fetch(button.dataset.push, {
          method: "POST", credentials: "same-origin", body: JSON.stringify(sub.toJSON ? sub.toJSON() : sub),
          headers: { "content-type": "application/json", "x-csrftoken": csrf(), "hx-request": "true",
                     "hx-request-type": "partial" },
        });
      }).then(function (response) {
        if (!response.ok) { say(button, "failed"); return null; }
        return response.text().then(function (html) { swap(panel, html); });
      }).catch(function (err) {
        if (!(err && err.message === "no permission")) say(button, "failed");
      }).finally(function () { button.disabled = false; });
    });
  };

  behaviours["push-off"] = function (form) {
    const field = form.querySelector("input[name='endpoint']");
    current().then(function (sub) { if (sub && field) field.value = sub.endpoint; }).catch(function () {});
    form.addEventListener("submit", function () {
      current().then(function (sub) { if (sub) return sub.unsubscribe(); }).catch(function () {});
    });
  };
})();
