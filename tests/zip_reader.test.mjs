// Unit tests of the workers' zip reader, storedZipEntries (static/numpy-wheel.mjs), on zips that
// Python's zipfile writes (tests/zip_fixtures.py, made afresh in a temporary folder), and on
// copies of them damaged here. Run: node --test tests/ (tests/test_js_units.py runs it for pytest;
// $PYTHON names the Python that writes the zips, python3 otherwise).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { storedZipEntries } from "../static/numpy-wheel.mjs";

const folder = mkdtempSync(join(tmpdir(), "zip-reader-"));
after(() => rmSync(folder, { recursive: true, force: true }));
execFileSync(process.env.PYTHON || "python3", [new URL("zip_fixtures.py", import.meta.url).pathname, folder]);
const fixture = (name) => new Uint8Array(readFileSync(join(folder, name + ".zip")));
const contents = JSON.parse(readFileSync(join(folder, "contents.json"), "utf8"));
const hex = (files) => Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, Buffer.from(bytes).toString("hex")]));

// A copy of a zip with its little-endian field at `at` (a negative at counts from the end) set.
const edited = (zip, at, value, bits = 32) => {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  view[bits === 16 ? "setUint16" : "setUint32"](at < 0 ? copy.length + at : at, value, true);
  return copy;
};
const find = (zip, signature, from = 0) => Buffer.from(zip).indexOf(Buffer.from(signature, "latin1"), from);
const refused = (zip, message) => assert.throws(() => storedZipEntries(zip, "the test zip"),
  (e) => e instanceof Error && e.message.startsWith("the test zip ") && message.test(e.message), message);

for (const name of ["stored", "commented", "zip64-local", "zip64"]) {
  test(`reads every file of ${name}.zip as zipfile wrote it, and no folder`, () => {
    assert.deepEqual(hex(storedZipEntries(fixture(name), name)), contents);
  });
}

test("reads the figures of the zip64 records where the plain ones say only \"see zip64\"", () => {
  const zip64 = fixture("zip64");
  assert.equal(new DataView(zip64.buffer).getUint32(find(zip64, "PK\x01\x02") + 24, true), 0xffffffff);
  // As zipfile writes past 65535 entries or 4 GiB: the plain end record's count, size and offset.
  const marked = edited(edited(edited(zip64, -12, 0xffff, 16), -10, 0xffffffff), -6, 0xffffffff);
  assert.deepEqual(hex(storedZipEntries(marked, "zip64")), contents);
});

test("reads a zip that sits inside a larger buffer, and returns views of it", () => {
  const zip = fixture("stored"), buffer = new Uint8Array(zip.length + 10);
  buffer.set(zip, 7);
  const files = storedZipEntries(buffer.subarray(7, 7 + zip.length), "a view");
  assert.deepEqual(hex(files), contents);
  assert.equal(Object.values(files)[0].buffer, buffer.buffer);
});

test("refuses a compressed entry, naming it", () => {
  refused(fixture("deflated"), /is compressed: numpy\/__init__\.py$/);
});

test("refuses what is not a zip", () => {
  refused(new Uint8Array(0), /is not a zip file, or is truncated/);
  refused(new TextEncoder().encode("<html>404 Not Found</html>".repeat(10)), /is not a zip file, or is truncated/);
});

test("refuses a truncated zip", () => {
  for (const name of ["stored", "zip64"]) {
    const zip = fixture(name);
    for (const length of [zip.length >> 1, zip.length - 1, 21]) {
      refused(zip.subarray(0, length), /is not a zip file, or is truncated/);
    }
  }
});

test("refuses a zip with trailing bytes its end record does not account for", () => {
  const zip = fixture("stored"), longer = new Uint8Array(zip.length + 5);
  longer.set(zip);
  refused(longer, /is not a zip file, or is truncated/);
});

test("refuses bad signatures: a central directory entry, a local header, the zip64 end record", () => {
  const zip = fixture("stored");
  refused(edited(zip, find(zip, "PK\x01\x02", 1000), 0x02014b51), /is damaged: central directory entry 0 is not one/);
  const second = find(zip, "PK\x03\x04", 1);
  refused(edited(zip, second, 0x04034b51), /is damaged: the local header of numpy\/_core\/ is not one/);
  const zip64 = fixture("zip64");
  refused(edited(zip64, find(zip64, "PK\x06\x06"), 0x06064b51), /is damaged: its zip64 end record is missing/);
});

test("refuses an end record whose central directory lies past the end", () => {
  const zip = fixture("stored");
  const offset = new DataView(zip.buffer).getUint32(zip.length - 6, true);
  refused(edited(zip, -6, offset + 100), /is damaged: its central directory lies past its end/);
  refused(edited(zip, -12, 0xffff, 16), /is damaged: it needs a zip64 end record and has none/);
});

test("refuses entries whose sizes do not fit", () => {
  const zip = fixture("stored"), entry = find(zip, "PK\x01\x02", 1000);
  refused(edited(edited(zip, entry + 20, 0x7fffffff), entry + 24, 0x7fffffff), /is damaged: numpy\/__init__\.py runs past its end/);
  refused(edited(zip, entry + 20, 3), /is damaged: numpy\/__init__\.py is stored with two different sizes/);
  const zip64 = fixture("zip64"), wide = find(zip64, "PK\x01\x02");
  refused(edited(zip64, wide + 30, 0, 16), /is damaged: .* has no zip64 sizes/);
});

test("refuses an encrypted entry and an archive split over several files", () => {
  const zip = fixture("stored"), entry = find(zip, "PK\x01\x02", 1000);
  refused(edited(zip, entry + 8, 1, 16), /is encrypted: numpy\/__init__\.py$/);
  refused(edited(zip, -18, 1, 16), /is split over several files$/);
});
