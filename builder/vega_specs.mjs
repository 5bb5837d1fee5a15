// Compile the charts' Vega-Lite specs (app/charts.py, written with Altair) to Vega at build time:
//   node builder/vega_specs.mjs IN.json OUT.json      ({name: Vega-Lite spec} -> {name: Vega spec})
// The page then needs neither vega-lite (68 KB) nor its compile step, which took ~130 ms of the
// main thread on a first visit.
import fs from "node:fs";
import { compile } from "vega-lite";

const [src, dest] = process.argv.slice(2);
const specs = JSON.parse(fs.readFileSync(src, "utf8"));
// Without the background Vega-Lite writes in (white): the page's theme sets it (static/charts.js).
// Without ARIA attributes (config aria: false): Vega writes them into SVG output only, and the page
// draws on canvas, yet each mark's `description` is built for every data row on every update,
// which under the page's Content-Security-Policy Vega interprets (vega-interpreter): it was about
// half of an update of the latent scatter (3,150 points: 95 ms, 49 without). The charts' own
// labels are in index.html.
const vega = (spec) => {
  const { background, ...rest } = compile(spec, { config: { aria: false } }).spec;
  return rest;
};
const out = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, vega(spec)]));
fs.writeFileSync(dest, JSON.stringify(out));
