// Zips in a Pyodide worker: the stored zips the build makes (NumPy's wheel, engine.zip) read into
// {name: bytes}, and those files written into Pyodide's file system. Plain zip and plain FS: the
// parts of unpacking NumPy that rely on Pyodide's internals are in pyodide-fast-paths.mjs.

// Files of a zip whose entries are stored (not deflated), as {name: bytes}; zip64 archives too.
// Anything else is refused with an error naming `what` and the fault: not a zip, truncated or
// otherwise damaged, a compressed or encrypted entry, an archive split over several files. (No CRC
// check: NumPy's wheel is checked by sha256 as it downloads, and a CRC over it costs ~30 ms.)
export const storedZipEntries = (zip, what) => {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const refuse = (why) => { throw new Error(what + " " + why); };
  const damaged = (why) => refuse("is damaged: " + why);
  const u16 = (p) => view.getUint16(p, true), u32 = (p) => view.getUint32(p, true);
  const u64 = (p) => {
    const n = view.getBigUint64(p, true);
    return n <= BigInt(zip.length) ? Number(n) : damaged("a zip64 figure (" + n + ") is larger than the file");
  };
  // The end of central directory record: the last 22 bytes, or just before a comment (< 64 KiB).
  const lowest = Math.max(0, zip.length - 22 - 0xffff);
  let end = zip.length - 22;
  while (end >= lowest && !(u32(end) === 0x06054b50 && end + 22 + u16(end + 20) === zip.length)) end--;
  if (end < lowest) refuse("is not a zip file, or is truncated (no end of central directory record)");
  let count = u16(end + 10), size = u32(end + 12), offset = u32(end + 16);
  let split = u16(end + 4) !== 0 || u16(end + 6) !== 0;
  let directoryEnd = end;  // the central directory ends where the end records start
  const locator = end - 20;
  if (locator >= 0 && u32(locator) === 0x07064b50) {  // zip64: the figures are in a record of its own
    const record = u64(locator + 8);
    if (record + 56 > locator || u32(record) !== 0x06064b50) damaged("its zip64 end record is missing");
    [count, size, offset] = [u64(record + 32), u64(record + 40), u64(record + 48)];
    split = u32(locator + 4) !== 0 || u32(locator + 16) > 1 || u32(record + 16) !== 0 || u32(record + 20) !== 0;
    directoryEnd = record;
  } else if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    damaged("it needs a zip64 end record and has none");
  }
  if (split) refuse("is split over several files");
  if (offset + size > directoryEnd) damaged("its central directory lies past its end (truncated?)");

  const out = {}, names = new TextDecoder();
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > offset + size || u32(p) !== 0x02014b50) damaged("central directory entry " + i + " is not one");
    const extra = p + 46 + u16(p + 28), extraEnd = extra + u16(p + 30), next = extraEnd + u16(p + 32);
    if (next > offset + size) damaged("central directory entry " + i + " runs past the directory");
    const name = names.decode(zip.subarray(p + 46, extra));
    if (u16(p + 8) & 1) refuse("is encrypted: " + name);
    if (u16(p + 10) !== 0) refuse("is compressed: " + name);
    let [packed, length, local] = [u32(p + 20), u32(p + 24), u32(p + 42)];
    if (packed === 0xffffffff || length === 0xffffffff || local === 0xffffffff) {
      // The real figures are in the zip64 extra field (id 1): those that are 0xffffffff, in order.
      let field = extra;
      while (field + 4 <= extraEnd && u16(field) !== 0x0001) field += 4 + u16(field + 2);
      if (field + 4 > extraEnd || field + 4 + u16(field + 2) > extraEnd) damaged(name + " has no zip64 sizes");
      let at = field + 4;
      const wide = (figure) => {
        if (figure !== 0xffffffff) return figure;
        if (at + 8 > field + 4 + u16(field + 2)) damaged(name + "'s zip64 sizes are cut short");
        at += 8;
        return u64(at - 8);
      };
      [length, packed, local] = [wide(length), wide(packed), wide(local)];
    }
    if (packed !== length) damaged(name + " is stored with two different sizes");
    if (local + 30 > offset || u32(local) !== 0x04034b50) damaged("the local header of " + name + " is not one");
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    if (start + length > offset) damaged(name + " runs past its end (truncated?)");
    if (!name.endsWith("/")) out[name] = zip.subarray(start, start + length);
    p = next;
  }
  if (p !== offset + size) damaged("its central directory holds more than its entries");
  return out;
};

// Writes {name: bytes} under folder. Each folder is made once: FS.mkdirTree per file threw (and
// caught) an error for every existing folder on the way, which was most of unpacking NumPy.
export const writeTree = (py, folder, files) => {
  const made = new Set();
  const makeFolder = (path) => {
    if (made.has(path)) return;
    const parent = path.slice(0, path.lastIndexOf("/"));
    if (parent) makeFolder(parent);
    if (!py.FS.analyzePath(path).exists) py.FS.mkdir(path);
    made.add(path);
  };
  for (const [name, data] of Object.entries(files)) {
    const path = folder + "/" + name.replace(/^\.\//, "");
    makeFolder(path.slice(0, path.lastIndexOf("/")));
    py.FS.writeFile(path, data);
  }
};
