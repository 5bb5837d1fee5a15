// The service worker (repeat visits from cache, offline use) is registered once the engine is
// ready: its install precaches ~11 MB, which on a first visit would compete with the engine's
// start-up for the network and both cores. Failing to register (e.g. a private window that
// forbids it) only costs speed, so it is not an error.
// Even then it waits for an idle moment, so the precache does not slow the first clicks.
window.registerOfflineCache = () => {
  if (!("serviceWorker" in navigator)) return;
  const register = () => navigator.serviceWorker.register("sw.js")
    .catch((e) => console.info("offline cache unavailable:", e.message));
  if ("requestIdleCallback" in window) requestIdleCallback(register, { timeout: 5000 });
  else setTimeout(register, 2000);
};
