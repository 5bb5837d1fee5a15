// Glue between Python (which never touches Vega directly) and vega-embed views.
// Each chart is embedded once from a build-time spec; data then streams in through
// view.change(), so training never re-embeds a chart. Several charts may share one spec.
(() => {
  const views = {};
  const specs = fetch("specs.json").then((r) => r.json());
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const options = () => ({
    actions: { export: true, source: false, compiled: false, editor: false },
    // The page's Content-Security-Policy forbids eval: Vega's expressions (tooltips, selections,
    // signals) run through vega-interpreter instead of being compiled with `new Function`.
    ast: true,
    expr: vega.expressionInterpreter,
    // ...and <style> elements: vega-embed's and its tooltips' styles come from vendor/vega-embed.css
    // (builder/dist.py), and the actions menu is asked for by name, as its default style would have.
    defaultStyle: false,
    forceActionsMenu: true,
    tooltip: { disableDefaultStyle: true },
    theme: dark.matches ? "dark" : undefined,
    config: dark.matches ? {} : { background: "white" },  // the dark theme brings its own
    renderer: "canvas",
    logLevel: vega.Error,  // an empty chart warns about infinite extents; that is expected
  });
  const pending = {};
  const store = {};
  // A chart embedded empty (the training view's are) is laid out for no axis labels: its y labels
  // were cut off at the left and its axis titles not drawn. So it is laid out again once, when its
  // first rows arrive, and again whenever it is refilled from empty. (Vega's autosize `resize`
  // would lay it out at every update: a whole-chart redraw whenever a label's width changed, which
  // made tasks of 60-70 ms while training.)
  const filled = new Set();
  const refit = (id, rowCount) => {
    if (!rowCount) return filled.delete(id);
    if (!filled.has(id)) {
      filled.add(id);
      views[id].resize();
    }
  };
  let embeds = Promise.resolve();
  // Start each chart update in a task of its own: awaited one after another they would run as
  // microtasks of one long task (five re-renders, 60-80 ms), and block input meanwhile.
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
  // For Python: a promise that resolves in a later task, so long start-up work can be cut into
  // pieces the browser can interleave with input and painting (MicroPython's awaits on settled
  // promises stay inside one task).
  window.nextTask = nextTask;
  // Charts shown `later` wait for showLater() (the page calls it once the engine is ready) or
  // for their element to come near the screen, whichever is first: on two cores, embedding the
  // training view's five charts while the engine started cost it ~0.3 s on a first visit.
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  const nearScreen = (id) => new Promise((resolve) => {
    if (typeof IntersectionObserver === "undefined") return;
    const watch = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        watch.disconnect();
        resolve();
      }
    }, { rootMargin: "300px" });
    watch.observe(document.getElementById(id));
  });
  window.charts = {
    // Embed spec `name` into element `id`; returns a promise that resolves when it is live.
    // Everything else a chart is asked waits for that, so `later` charts may be fed at once.
    show(id, name, later = false) {
      const gate = later ? Promise.race([released, nearScreen(id)]) : null;
      // One embed per task, in order (each costs tens of ms: seven at once blocked input ~350 ms).
      embeds = embeds.then(() => gate).then(nextTask).then(async () => {
        const res = await vegaEmbed("#" + id, structuredClone((await specs)[name]), options());
        views[id] = res.view;
        return true;
      });
      pending[id] = embeds;
      return pending[id];
    },
    // After the next frame, so that what the page just changed (the engine's Ready) is painted first.
    showLater() {
      requestAnimationFrame(() => setTimeout(release, 0));
    },
    // Replace every row of data source `source` with `rowsJson` (a JSON array).
    async replace(id, source, rowsJson) {
      await pending[id];
      await nextTask();
      const rows = JSON.parse(rowsJson);
      views[id].change(source, vega.changeset().remove(() => true).insert(rows));
      refit(id, rows.length);
      await views[id].runAsync();
      return rows.length;
    },
    // Set a chart's parameter (a Vega signal): "classNames" (another dataset's classes, in colour
    // order), "timeDomain" (the timeline's [0, points]).
    async setSignal(id, name, valueJson) {
      await pending[id];
      await views[id].signal(name, JSON.parse(valueJson)).runAsync();
      return true;
    },
    // Fire `eventName` on window, detail = the signal's value as JSON, whenever selection `name` of
    // chart `id` changes (an Altair selection parameter: Vega says what was picked).
    async listen(id, name, eventName) {
      await pending[id];
      views[id].addSignalListener(name, (_, value) =>
        window.dispatchEvent(new CustomEvent(eventName, { detail: JSON.stringify(value ?? null) })));
      return true;
    },
    // Empty selection `name` of chart `id` (an Altair selection parameter): its store, and for an
    // interval its brush (its pixel extents); its signal then says {} to any listener.
    async clearSelection(id, name) {
      await pending[id];
      const view = views[id];
      for (const pixels of [name + "_x_1", name + "_y_1"]) {
        try { view.signal(pixels, [0, 0]); } catch { /* a point selection has no brush */ }
      }
      view.change(name + "_store", vega.changeset().remove(() => true));
      await view.runAsync();
      return true;
    },
    // Append rows without touching the ones already there.
    async insert(id, source, rowsJson) {
      await pending[id];
      await nextTask();
      const rows = JSON.parse(rowsJson);
      views[id].change(source, vega.changeset().insert(rows));
      if (rows.length) refit(id, rows.length);  // appending nothing leaves it as it was
      await views[id].runAsync();
      return rows.length;
    },
    // Several sources of one chart at once: `partsJson` is {"source": [rows], ...}.
    async replaceMany(id, partsJson) {
      await pending[id];
      await nextTask();
      const parts = JSON.parse(partsJson);
      for (const [source, rows] of Object.entries(parts)) {
        views[id].change(source, vega.changeset().remove(() => true).insert(rows));
      }
      refit(id, Object.values(parts).reduce((n, rows) => n + rows.length, 0));
      await views[id].runAsync();
      return true;
    },
    // Data kept on the JavaScript side (too big to be worth parsing in MicroPython):
    // load(key, url) fetches a JSON document once; the functions below read from it.
    load(key, url) {
      if (!store[key]) store[key] = fetch(url).then((r) => {
        if (!r.ok) throw new Error(url + ": HTTP " + r.status);
        return r.json();
      });
      return store[key].then(() => true);
    },
    // Replace a stored document with `jsonText` (a loaded model's results replace the pretrained ones).
    put(key, jsonText) {
      store[key] = Promise.resolve(JSON.parse(jsonText));
      return true;
    },
    // Rows of stored field `field` (an array of rows) into `source` of chart `id`.
    async replaceFrom(id, source, key, field) {
      const doc = await store[key];
      return this.replace(id, source, JSON.stringify(doc[field]));
    },
    // A stored signal {in, out, err, stretch} (entry `index` of `field`; models/error_strip.py
    // stored_signal) as the reconstruction chart's rows and its error strip's stretch.
    async showSignal(id, key, field, index) {
      const doc = await store[key];
      const s = doc[field][index];
      const rows = s.in.map((v, t) => ({ t, input: v, output: s.out[t], error: s.err[t] }));
      await pending[id];
      await nextTask();
      views[id].change("recon", vega.changeset().remove(() => true).insert(rows));
      views[id].change("stretch", vega.changeset().remove(() => true).insert(s.stretch));
      await views[id].runAsync();
      return rows.length;
    },
    // The linked gallery's tiles (app/ui_linked.py): like chart rows, the engine's rows are not
    // parsed in MicroPython (a page of 60 sparklines is ~50 KB of JSON). partJson: {"tiles": [{i, cls, e,
    // flagged, p}], "indices": [every index selected]}; names go in as text.
    tiles(id, partJson, append, width, height, pressed) {
      const { tiles, indices } = JSON.parse(partJson);
      const box = document.getElementById(id);
      const short = (x) => (x !== 0 && (Math.abs(x) < 0.001 || Math.abs(x) >= 1000) ? x.toPrecision(3) : x.toFixed(4));
      const svgNS = "http://www.w3.org/2000/svg";
      const made = tiles.map((t) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "sample" + (t.flagged ? " flagged" : "");
        b.dataset.i = t.i;
        b.dataset.e = t.e;
        b.setAttribute("aria-pressed", t.i === pressed ? "true" : "false");
        b.title = `Test sample ${t.i}: ${t.cls}, error ${short(t.e)}${t.flagged ? ", flagged" : ""}`;
        const svg = document.createElementNS(svgNS, "svg");
        svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
        svg.setAttribute("preserveAspectRatio", "none");
        svg.setAttribute("aria-hidden", "true");
        const path = document.createElementNS(svgNS, "path");
        path.setAttribute("d", t.p);
        svg.append(path);
        b.append(svg, `#${t.i} ${t.cls}`);
        return b;
      });
      if (append) box.append(...made);
      else {
        box.replaceChildren(...made);
        box.dataset.indices = indices.join(",");
      }
      return made.length;
    },
    // A chart's Vega view (tests find its marks in view.scenegraph(), to point at them).
    view(id) {
      return views[id] || null;
    },
    // The rows a chart currently shows (tests read them; so could an export button).
    data(id, source) {
      return views[id] ? views[id].data(source) : null;
    },
    // A scale's domain as drawn (tests read it: a reconstruction and its error strip share "x").
    domain(id, scale) {
      return views[id] ? views[id].scale(scale).domain() : null;
    },
  };
  // Python awaits these from MicroPython, which never resumes from a promise that rejects: a
  // chart that is not there, or rows it cannot take, resolve to false (and a console warning).
  for (const name of ["replace", "setSignal", "listen", "clearSelection", "tiles", "insert", "replaceMany", "load", "replaceFrom", "showSignal"]) {
    const call = window.charts[name];
    window.charts[name] = function (...args) {
      return Promise.resolve().then(() => call.apply(this, args)).catch((e) => {
        console.warn("charts." + name + "(" + args[0] + "):", e);
        return false;
      });
    };
  }
})();
