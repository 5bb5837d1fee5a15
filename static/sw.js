// Service worker: repeat visits load from the cache, and the app works offline.
// The build stamps VERSION with a hash of every other file in dist/, so any change to the
// app installs a fresh cache (and drops the old one) instead of serving stale files.
// Every path here is relative to this file: the app may live at a host's root or in any folder
// (a GitHub Pages project site is at /<repo>/), and this worker's scope is that folder. Cache
// Storage is shared by the whole origin, so the cache is named after the scope too: another copy
// of the app elsewhere on the same host keeps its own.
const VERSION = "__BUILD_VERSION__";
const PREFIX = "anomaly-explorer-", SCOPE = self.registration.scope;
const CACHE = PREFIX + VERSION + " " + SCOPE;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const manifest = await (await fetch("manifest.json", { cache: "no-cache" })).json();
    const cache = await caches.open(CACHE);
    // What a first visit needs; lazily loaded files are cached when first used.
    await cache.addAll(manifest.files.filter((f) => f.first_visit).map((f) => f.path));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      // this scope's older versions, and caches named before scopes were (no space in the name)
      const ours = key.endsWith(" " + SCOPE) || !key.includes(" ");
      if (key.startsWith(PREFIX) && ours && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (event.request.mode === "navigate") {
    // The page itself: network first, so a new version is noticed; the cache when offline.
    event.respondWith(fetch(event.request).catch(() => caches.match("index.html", { cacheName: CACHE })));
    return;
  }
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = await cache.match(event.request, { ignoreSearch: true });
    if (hit) return hit;
    const response = await fetch(event.request);
    if (response.ok && url.pathname !== self.location.pathname) cache.put(event.request, response.clone());
    return response;
  })());
});
