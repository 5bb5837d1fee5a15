// Small glue for sharing (Python decides everything): copy the link, save a model file, read one,
// download a report.
// Model files go straight between the engine worker and the browser's file APIs, so a big model
// never passes through the UI thread's MicroPython heap; Python only sees short replies.
(() => {
  let kept = null;  // the model file of the training view's model after its last run, or null
  const within = (promise, ms) => Promise.race([promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), ms))]);
  // load_model's reply with `name` added to its summary; its chart part (app/protocol.py: framed)
  // is passed on as it came, neither parsed nor written again here.
  const named = (reply, name) => {
    const cut = reply.indexOf("\x1e");
    const summary = JSON.parse(cut < 0 ? reply : reply.slice(0, cut));
    summary.name = name;
    return JSON.stringify(summary) + (cut < 0 ? "" : reply.slice(cut));
  };
  const download = (blob, name) => {
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  };
  window.share = {
    // A file for the user to keep: `blob`, saved as `name` (the run history's exports use it too).
    download,
    // Copy the value of input `id`; "copied", or "selected" when the clipboard is unavailable
    // or denied (the text is then selected for Ctrl+C).
    async copy(id) {
      const input = document.getElementById(id);
      try {
        await within(navigator.clipboard.writeText(input.value), 2000);
        return "copied";
      } catch (e) {
        input.focus();
        input.select();
        return "selected";
      }
    },
    // Ask the engine for its model file and download it as `name`. Returns a JSON reply.
    async saveModel(engine, name) {
      const text = await engine.export_model();
      if (text.startsWith('{"error"')) return text;
      download(new Blob([text], { type: "application/json" }), name);
      return JSON.stringify({ ok: true, bytes: text.length });
    },
    // Ask the engine for the run's report (models/report.py), with test sample `sample` rebuilt, and
    // download it as `name`: the page's own chart specs and Vega runtime go in, so that the file
    // opens offline. Returns a JSON reply.
    async saveReport(engine, name, sample) {
      let texts;
      try {
        texts = await Promise.all(["specs.json", "vendor/vega.min.js", "vendor/vega-embed.min.js"].map(async (url) => {
          const r = await fetch(url);
          if (!r.ok) throw new Error(url + ": HTTP " + r.status);
          return r.text();
        }));
      } catch (e) {
        return JSON.stringify({ error: "the charts' files could not be read (" + e.message + ")" });
      }
      const text = await engine.report(location.href.split("#")[0], ...texts, sample);
      if (text.startsWith('{"error"')) return text;
      download(new Blob([text], { type: "text/html" }), name);
      return JSON.stringify({ ok: true, bytes: text.length });
    },
    // Keep the engine's model file here, in the page: an engine that has to be started again gets
    // it back (restoreModel). Kept as JavaScript text, off MicroPython's small heap.
    async keepModel(engine) {
      const text = await engine.export_model();
      if (!text.startsWith('{"error"')) kept = text;
    },
    hasKeptModel: () => kept !== null,
    async restoreModel(engine) {
      return named(await engine.load_model(kept), "your model as it was after its last run");
    },
    // Read the file chosen in input `id` and hand its text to the engine's load_model.
    // Returns the engine's reply (framed, or a JSON error), with the file's name in its summary.
    async loadModel(engine, id, maxBytes) {
      const input = document.getElementById(id);
      const file = input.files && input.files[0];
      input.value = "";  // choosing the same file again fires "change" again
      if (!file) return JSON.stringify({ error: "No file was chosen." });
      const name = file.name;
      if (file.size > maxBytes) {
        return JSON.stringify({ name, error: "the file is " + Math.round(file.size / 1e6) +
          " MB; a model file here is at most " + Math.round(maxBytes / 1e6) + " MB" });
      }
      let text;
      try {
        text = await file.text();
      } catch (e) {
        return JSON.stringify({ name, error: "the file could not be read (" + e.message + ")" });
      }
      return named(await engine.load_model(text), name);
    },
  };
})();
