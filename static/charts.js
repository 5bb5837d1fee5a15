// Glue between Python (which never touches Vega directly) and vega-embed views.
// Each chart is embedded once from a build-time spec; data then streams in through
// view.change(), so training never re-embeds a chart. Several charts may share one spec.
(() => {
  const views = {};
  const specs = fetch("specs.json").then((r) => r.json());
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const options = () => ({
    actions: { export: true, source: false, compiled: false, editor: false },
    theme: dark.matches ? "dark" : undefined,
    renderer: "canvas",
    logLevel: vega.Error,  // an empty chart warns about infinite extents; that is expected
  });
  const pending = {};
  window.charts = {
    // Embed spec `name` into element `id`; returns a promise that resolves when it is live.
    show(id, name) {
      pending[id] = specs.then(async (all) => {
        const res = await vegaEmbed("#" + id, structuredClone(all[name]), options());
        views[id] = res.view;
        return true;
      });
      return pending[id];
    },
    // Replace every row of data source `source` with `rowsJson` (a JSON array).
    async replace(id, source, rowsJson) {
      await pending[id];
      const rows = JSON.parse(rowsJson);
      await views[id].change(source, vega.changeset().remove(() => true).insert(rows)).runAsync();
      return rows.length;
    },
    // Append rows without touching the ones already there.
    async insert(id, source, rowsJson) {
      await pending[id];
      const rows = JSON.parse(rowsJson);
      await views[id].change(source, vega.changeset().insert(rows)).runAsync();
      return rows.length;
    },
    // The rows a chart currently shows (tests read them; so could an export button).
    data(id, source) {
      return views[id] ? views[id].data(source) : null;
    },
  };
})();
