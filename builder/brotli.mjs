// Brotli-compress files, all at once (zlib's thread pool uses every core):
//   node builder/brotli.mjs JOB.json      JOB.json: [[source, destination, quality], ...]
import fs from "node:fs";
import zlib from "node:zlib";
import { promisify } from "node:util";

const compress = promisify(zlib.brotliCompress);
const jobs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
await Promise.all(jobs.map(async ([src, dest, quality]) => {
  const data = fs.readFileSync(src);
  const out = await compress(data, { params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
    [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
  } });
  fs.writeFileSync(dest + ".part", out);
  fs.renameSync(dest + ".part", dest);
}));
