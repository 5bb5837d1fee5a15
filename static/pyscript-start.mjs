// Starts PyScript (MicroPython on the UI thread) under the page's Content-Security-Policy, which
// forbids building code from strings. PyScript 0.6.60 turns its worker hooks into one function with
// `Function(...)` (src/hooks.js createFunction) for every script it runs, on the UI thread too, in
// case that script starts a PyScript worker; by default it has one such hook, which sets up the
// `pyscript` module inside those workers. This page starts no PyScript worker (the engine is a
// plain module worker, static/engine.js), so the hook is dropped here, before PyScript reads it
// (after MicroPython has loaded): with no worker hook, nothing is evaluated.
// (A PyScript worker would be refused anyway: it is started from a blob: URL, which the policy's
// worker-src, 'self', does not allow.)
import { hooks } from "./pyscript/core.js";

hooks.worker.onBeforeRunAsync.clear();
