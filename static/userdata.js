// Your own data file, for the UI thread: a chosen or dropped file goes to the engine (its command
// inspect_file) as the File itself, and the engine's worker reads it (static/engine-worker.mjs):
// its bytes never pass through MicroPython, whose heap is small, nor through this thread. (Read
// here and copied to the worker, a 62 MB file's bytes took main-thread tasks of 140-200 ms;
// docs/bench.md, your own data.) Pasted text goes as its UTF-8 bytes.
// Every call resolves (never rejects: app/main.py's MicroPython would wait for good) to the
// engine's reply text, or a JSON error.
(() => {
  let dropped = null;  // a file dropped on the page, until it is read
  const error = (name, message) => JSON.stringify({ name, error: message });
  // as data/user_file.py says it: "64.0 MB (67,108,866 bytes) is over the limit of 64 MB"
  const tooBig = (name, n, max) => name + ": " + (n / 2 ** 20).toFixed(1) + " MB (" + n.toLocaleString("en-US")
    + " bytes) is over the limit of " + Math.round(max / 2 ** 20) + " MB";

  window.userData = {
    // Read the file chosen in input `inputId` (or the one dropped last, or the text pasted in
    // textarea `pasteId`, as `source` says: "pick", "drop", "paste") and hand it to the engine;
    // "again": the file the engine read last, with other options.
    async inspect(engine, source, inputId, pasteId, chosenJson, maxBytes) {
      let name, bytes;  // bytes: a Uint8Array, or the File (a Blob) the worker reads
      if (source === "again") return engine.inspect_file("", null, chosenJson);  // the engine kept it
      try {
        if (source === "paste") {
          const text = document.getElementById(pasteId).value;
          name = "pasted text";
          bytes = new TextEncoder().encode(text);
          if (bytes.length > maxBytes) return error(name, tooBig(name, bytes.length, maxBytes));
        } else {
          let file = dropped;
          if (source === "pick") {
            const input = document.getElementById(inputId);
            file = input.files && input.files[0];
            input.value = "";  // choosing the same file again fires "change" again
          }
          dropped = null;
          if (!file) return error("", "No file was chosen.");
          name = file.name;
          if (file.size > maxBytes) return error(name, tooBig(name, file.size, maxBytes) + " (nothing was read)");
          bytes = file;
        }
      } catch (e) {
        return error(name || "", (name ? name + ": " : "") + "the file could not be read (" + (e && e.message || e) + ")");
      }
      return engine.inspect_file(name, bytes, chosenJson);
    },
    // Drops anywhere on element `zoneId` keep the file and fire "datafile" on it.
    listen(zoneId) {
      const zone = document.getElementById(zoneId);
      for (const type of ["dragenter", "dragover"]) {
        zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("over"); });
      }
      zone.addEventListener("dragleave", () => zone.classList.remove("over"));
      zone.addEventListener("drop", (e) => {
        e.preventDefault();
        zone.classList.remove("over");
        const file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
        if (!file) return;
        dropped = file;
        zone.dispatchEvent(new CustomEvent("datafile", { detail: file.name }));
      });
    },
  };
})();
