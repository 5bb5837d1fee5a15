// Assemble models/fastmath.wat into a WebAssembly side module Pyodide can link:
//   node builder/wat2wasm.mjs IN.wat OUT.wasm
// Pyodide's loader wants an emscripten "dylink.0" custom section first (here: no static memory,
// no table), so one is inserted right after the 8-byte header.
import fs from "node:fs";
import wabtInit from "wabt";

const [src, dest] = process.argv.slice(2);
const wabt = await wabtInit();
const mod = wabt.parseWat(src, fs.readFileSync(src, "utf8"), { simd: true });
mod.validate();
const { buffer } = mod.toBinary({});
const name = Buffer.from("dylink.0");
const payload = Buffer.concat([Buffer.from([name.length]), name, Buffer.from([1, 4, 0, 0, 0, 0])]);
const out = Buffer.concat([Buffer.from(buffer.slice(0, 8)), Buffer.from([0, payload.length]), payload,
                           Buffer.from(buffer.slice(8))]);
fs.writeFileSync(dest, out);
