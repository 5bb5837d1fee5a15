// Brotli-compress files, all at once (zlib's thread pool uses every core), and gzip some:
//   node builder/brotli.mjs JOB.json      JOB.json: [[source, destination, quality or "gzip"], ...]
// (gzip at level 9, what nginx's gzip_static serves)
import fs from "node:fs";
import zlib from "node:zlib";
import { promisify } from "node:util";

const compress = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const jobs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
await Promise.all(jobs.map(async ([src, dest, quality]) => {
  const data = fs.readFileSync(src);
  const out = quality === "gzip" ? await gzip(data, { level: 9 }) : await compress(data, { params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
    [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
  } });
  fs.writeFileSync(dest + ".part", out);
  fs.renameSync(dest + ".part", dest);
}));
