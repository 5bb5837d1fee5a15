// The service worker (repeat visits from cache, offline use) is registered once the engine is
// ready: its install precaches ~11 MB, which on a first visit would compete with the engine's
// start-up for the network and both cores. Failing to register (e.g. a private window that
// forbids it) only costs speed, so it is not an error.
window.registerOfflineCache = () => {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("sw.js").catch((e) => console.info("offline cache unavailable:", e.message));
  }
};
