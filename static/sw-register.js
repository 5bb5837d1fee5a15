// Register the service worker (repeat visits from cache, offline use). Failing to register
// (e.g. a private window that forbids it) only costs speed, so it is not an error.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("sw.js").catch((e) => console.info("offline cache unavailable:", e.message));
  });
}
