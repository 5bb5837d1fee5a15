// Run history (issue 18), kept in this browser's IndexedDB and never in a link. The UI thread
// (app/ui_history.py) says what a record holds and checks what it reads back
// (app/history_record.py); this file only stores and reads. A run's curves (the loss per epoch and
// the ROC curve) are taken from the training view's own charts and go from storage straight into
// the overlay charts and the JSON export, never through MicroPython.
// Every function resolves (never rejects: this MicroPython never resumes from a rejected
// promise), to JSON text: {"ok": true, ...} or {"error": "...", ...}.
(() => {
  const NAME = "anomaly-explorer", RUNS = "runs", CURVES = "curves";
  const MAX_LOSS_POINTS = 600, MAX_ROC_POINTS = 300;  // per series: the overlay needs no more
  let db = null;
  let listed = [];     // the key of every stored run, newest first (list(), then page())
  let pending = null;  // a run that could not be stored, kept for retry()
  const out = (value) => JSON.stringify(value);
  const why = (e) => (e && e.name ? e.name + ": " : "") + (e && e.message || String(e));
  const failed = (e) => out({ error: why(e), quota: !!(e && e.name === "QuotaExceededError") });

  // a request or transaction as a promise (this file's own awaits; the API never rejects)
  const done = (req) => new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const finished = (tx) => new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new DOMException("the write was cancelled", "AbortError"));
  });

  function open() {
    if (db) return Promise.resolve(db);
    return new Promise((resolve, reject) => {
      if (typeof indexedDB === "undefined" || !indexedDB) {
        reject(new Error("IndexedDB is not available in this browser or window"));
        return;
      }
      const req = indexedDB.open(NAME, 1);  // may throw (a SecurityError in some private windows)
      req.onupgradeneeded = () => {
        const d = req.result;
        if (!d.objectStoreNames.contains(RUNS)) d.createObjectStore(RUNS, { keyPath: "id", autoIncrement: true });
        if (!d.objectStoreNames.contains(CURVES)) d.createObjectStore(CURVES);
      };
      req.onsuccess = () => { db = req.result; resolve(db); };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error("the history is open in an older tab of this app"));
      setTimeout(() => reject(new Error("IndexedDB did not answer")), 10000);
    });
  }

  // evenly spaced points, the first and last kept
  const thin = (points, most) => {
    if (points.length <= most) return points;
    const step = (points.length - 1) / (most - 1);
    return Array.from({ length: most }, (_, k) => points[Math.round(k * step)]);
  };

  function curvesNow() {
    const losses = {};
    for (const r of (window.charts.data("loss-chart", "losses") || [])) {
      (losses[r.series] = losses[r.series] || []).push([r.epoch, r.loss]);
    }
    for (const s of Object.keys(losses)) losses[s] = thin(losses[s], MAX_LOSS_POINTS);
    const roc = thin((window.charts.data("roc-chart", "roc") || []).map((r) => [r.fpr, r.tpr]), MAX_ROC_POINTS);
    return { losses, roc };
  }

  async function store(run) {
    const d = await open();
    const tx = d.transaction([RUNS, CURVES], "readwrite");
    const written = finished(tx);
    let id;
    try {
      const req = tx.objectStore(RUNS).put(run.summary);
      req.onsuccess = () => {
        id = req.result;
        try {
          tx.objectStore(CURVES).put(run.curves, id);
        } catch (e) {
          tx.abort();
        }
      };
    } catch (e) {  // put() itself refused (e.g. a quota error thrown at once)
      try { tx.abort(); } catch (_) { /* already finished */ }
      written.catch(() => {});
      throw e;
    }
    await written;
    return id;
  }

  async function add(run) {
    try {
      const id = await store(run);
      pending = null;
      return out({ ok: true, id });
    } catch (e) {
      pending = run;  // the run stays in the page: retry() stores it once there is room
      return failed(e);
    }
  }

  async function readCurves(ids) {
    const d = await open();
    const tx = d.transaction(CURVES, "readonly");
    const s = tx.objectStore(CURVES);
    return Promise.all(ids.map((id) => done(s.get(id))));
  }

  const curvesOk = (c) => c && typeof c === "object" && Array.isArray(c.roc) && c.losses && typeof c.losses === "object";

  window.runHistory = {
    // {"ok", "count"} or {"error"}: whether this browser keeps a history here at all
    async open() {
      try {
        const d = await open();
        const count = await done(d.transaction(RUNS, "readonly").objectStore(RUNS).count());
        return out({ ok: true, count });
      } catch (e) {
        return failed(e);
      }
    },
    // Record a run: `summaryJson` from app/history_record.py, its curves from the charts now.
    async add(summaryJson) {
      let run;
      try {
        run = { summary: JSON.parse(summaryJson), curves: curvesNow() };
      } catch (e) {
        return failed(e);
      }
      return add(run);
    },
    hasPending() { return pending !== null; },
    async retry() {
      return pending ? add(pending) : out({ error: "no run is waiting to be recorded" });
    },
    // The ids of every run (newest first) for page(): {"ok", "count"}. The records themselves are
    // read a page at a time (reading 1,000 at once deserialized them in one long task).
    async list() {
      try {
        const d = await open();
        listed = (await done(d.transaction(RUNS, "readonly").objectStore(RUNS).getAllKeys())).reverse();
        return out({ ok: true, count: listed.length });
      } catch (e) {
        listed = [];
        return failed(e);
      }
    },
    // Runs [offset, offset + n) of the last list(): [[key, record or null, problem or null], ...]
    async page(offset, n) {
      const keys = listed.slice(offset, offset + n);
      if (!keys.length) return "[]";
      let values;
      try {
        const d = await open();
        const s = d.transaction(RUNS, "readonly").objectStore(RUNS);
        const found = await done(s.getAll(IDBKeyRange.bound(keys[keys.length - 1], keys[0])));
        values = new Map(found.map((v) => [v && v.id, v]));
      } catch (e) {
        return out(keys.map((k) => [k, null, why(e)]));
      }
      return "[" + keys.filter((k) => values.has(k)).map((k) => {
        try {
          const text = JSON.stringify(values.get(k));
          if (text === undefined) throw new Error("no value");
          return "[" + JSON.stringify(k) + "," + text + ",null]";
        } catch (e) {
          return out([typeof k === "number" ? k : String(k), null, why(e)]);
        }
      }).join(",") + "]";
    },
    async get(id) {
      try {
        const d = await open();
        const r = await done(d.transaction(RUNS, "readonly").objectStore(RUNS).get(id));
        return r === undefined ? out({ error: "run " + id + " is no longer stored" }) : out({ ok: true, value: r });
      } catch (e) {
        return failed(e);
      }
    },
    async remove(idsJson) {
      try {
        const d = await open();
        const tx = d.transaction([RUNS, CURVES], "readwrite");
        for (const id of JSON.parse(idsJson)) {
          tx.objectStore(RUNS).delete(id);
          tx.objectStore(CURVES).delete(id);
        }
        await finished(tx);
        return out({ ok: true });
      } catch (e) {
        return failed(e);
      }
    },
    async clear() {
      try {
        const d = await open();
        const tx = d.transaction([RUNS, CURVES], "readwrite");
        tx.objectStore(RUNS).clear();
        tx.objectStore(CURVES).clear();
        await finished(tx);
        return out({ ok: true });
      } catch (e) {
        return failed(e);
      }
    },
    // The loss curves and ROC curves of runs `ids` into the overlay charts, named by `labels`.
    async overlay(idsJson, labelsJson) {
      try {
        const ids = JSON.parse(idsJson), labels = JSON.parse(labelsJson);
        const curves = await readCurves(ids);
        const losses = [], roc = [], missing = [];
        curves.forEach((c, k) => {
          if (!curvesOk(c)) { missing.push(ids[k]); return; }
          const run = labels[k];
          for (const [series, points] of Object.entries(c.losses)) {
            if (!Array.isArray(points)) continue;
            for (const p of points) {
              if (Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])) {
                losses.push({ run, series, epoch: p[0], loss: p[1] });
              }
            }
          }
          for (const p of c.roc) {
            if (Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])) roc.push({ run, fpr: p[0], tpr: p[1] });
          }
        });
        await window.charts.replaceMany("history-loss", out({ losses }));
        await window.charts.replaceMany("history-roc", out({ roc }));
        return out({ ok: true, losses: losses.length, roc: roc.length, missing });
      } catch (e) {
        return failed(e);
      }
    },
    // A file for the user to keep (a CSV or JSON export).
    download(name, text, type) {
      try {
        window.share.download(new Blob([text], { type }), name);  // static/share.js: one way to download
        return out({ ok: true, bytes: text.length });
      } catch (e) {
        return failed(e);
      }
    },
    // The JSON export: `headerJson` (app/history_record.py) with "runs": the checked runs `ids`,
    // each with its curves.
    async exportJson(name, headerJson, idsJson) {
      try {
        const ids = JSON.parse(idsJson);
        const d = await open();
        const s = d.transaction(RUNS, "readonly").objectStore(RUNS);
        const runs = await Promise.all(ids.map((id) => done(s.get(id))));
        const curves = await readCurves(ids);
        const doc = JSON.parse(headerJson);
        doc.runs = runs.map((r, k) => Object.assign({}, r, { curves: curvesOk(curves[k]) ? curves[k] : null }));
        return window.runHistory.download(name, JSON.stringify(doc, null, 1), "application/json");
      } catch (e) {
        return failed(e);
      }
    },
  };
})();
