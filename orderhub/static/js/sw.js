// orderhub's service worker (served as /sw.js): shows a browser notification the server pushed
// (orderhub/db/channels/push.py: {"title", "body", "url", "tag", "lang"}) and opens the order's
// page when it is clicked. It caches nothing and fetches nothing.
"use strict";

self.addEventListener("push", function (event) {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  const title = typeof data.title === "string" && data.title ? data.title : self.location.host;
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof data.body === "string" ? data.body : "",
    tag: typeof data.tag === "string" ? data.tag : undefined,
    lang: typeof data.lang === "string" ? data.lang : undefined,
    data: { url: typeof data.url === "string" ? data.url : "/" },
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  let url;
  try { url = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin); }
  catch (e) { return; }
  if (url.origin !== self.location.origin) return;  // only our own pages
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (const client of list) {
      if (client.url === url.href && "focus" in client) return client.focus();
    }
    return self.clients.openWindow(url.href);
  }));
});
