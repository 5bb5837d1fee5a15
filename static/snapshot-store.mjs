// Where the engine keeps its Python memory snapshot between visits (static/engine-worker.mjs
// restores it; snapshot-worker.mjs makes it). One entry per origin, named after the exact files it
// holds (`name`, from engine.json "runtime"); saving it drops any other build's. Its bytes: a header
// (its length, then JSON: the layout and a sha256), then the snapshot, ~36 MB.
//   - The origin private file system, through a sync access handle: ~0.15 s to read in Chromium.
//   - Cache Storage, where a browser has no such file system (WebKitGTK under automation has none):
//     0.2 to 0.45 s to read in Chromium, where the snapshot was first kept.
// snapshotStore(name) -> {find, read, drop, save} (below), in the store snapshotsKept names.
const FOLDER_PREFIX = "python-snapshot-";  // the file system's entries
const CACHE = "python-snapshots";          // Cache Storage's cache (one entry)

// (also what the engine worker checks downloaded wheels with)
export const sha256 = async (bytes) =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
const digest = async (snapshot, layout) => await sha256(snapshot) + " " + await sha256(new TextEncoder().encode(layout));

// {snapshot, layout, intact} from the stored bytes, where intact resolves to whether its bytes and
// layout are exactly those saved (Pyodide hangs on a damaged one); throws if the header is damaged.
const parse = (bytes) => {
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, headerBytes)));
  const snapshot = bytes.subarray(headerBytes);
  return { snapshot, layout: header.layout,
           intact: digest(snapshot, JSON.stringify(header.layout)).then((d) => d === header.sha256) };
};

// The header for `snapshot` made with `layout`.
const header = async (snapshot, layout) => {
  const text = "    " + JSON.stringify({ layout, sha256: await digest(snapshot, JSON.stringify(layout)) });
  // Pyodide reads the snapshot in 32-bit words: it starts at a multiple of 16.
  const bytes = new TextEncoder().encode(text + " ".repeat(15 - (new TextEncoder().encode(text).length + 15) % 16));
  new DataView(bytes.buffer).setUint32(0, bytes.length, true);
  return bytes;
};

const fileStore = (name) => {
  const folder = () => navigator.storage.getDirectory();
  return {
    // what read() takes, or null: none saved
    find: async () => {
      try {
        return await (await folder()).getFileHandle(name);
      } catch {
        return null;
      }
    },
    // null while another tab has the file open (it is being saved)
    read: async (handle) => {
      let file;
      try {
        file = await handle.createSyncAccessHandle();
      } catch {
        return null;
      }
      const bytes = new Uint8Array(file.getSize());
      try {
        file.read(bytes, { at: 0 });
      } finally {
        file.close();
      }
      return parse(bytes);
    },
    drop: async () => (await folder()).removeEntry(name).catch(() => {}),
    save: async (snapshot, layout) => {
      const head = await header(snapshot, layout);
      const dir = await folder();
      for await (const old of dir.keys()) {
        if (old.startsWith(FOLDER_PREFIX) && old !== name) await dir.removeEntry(old);
      }
      await self.caches?.delete(CACHE);  // where earlier builds kept theirs
      const file = await (await dir.getFileHandle(name, { create: true })).createSyncAccessHandle();
      try {
        file.truncate(0);
        file.write(head, { at: 0 });
        file.write(snapshot, { at: head.length });
        file.flush();
      } finally {
        file.close();
      }
    },
  };
};

const cacheStore = (name) => {
  // a URL of this folder's: Cache Storage keys are requests (never fetched; the service worker's
  // caches are others)
  const key = new URL(name, import.meta.url).href;
  return {
    find: async () => (await (await caches.open(CACHE)).match(key)) || null,
    read: async (response) => parse(new Uint8Array(await response.arrayBuffer())),
    drop: async () => (await caches.open(CACHE)).delete(key).catch(() => {}),
    save: async (snapshot, layout) => {
      const cache = await caches.open(CACHE);
      for (const old of await cache.keys()) {
        if (old.url !== key) await cache.delete(old);
      }
      await cache.put(key, new Response(new Blob([await header(snapshot, layout), snapshot])));
    },
  };
};

// "file" (the origin private file system), "cache" (Cache Storage), or null: neither.
export const snapshotsKept = navigator.storage?.getDirectory && self.FileSystemSyncAccessHandle ? "file"
  : self.caches ? "cache" : null;

export const snapshotStore = (name) => snapshotsKept === "file" ? fileStore(name) : cacheStore(name);
