// The browser page's WebAssembly module, run in Node.js on the first N images of an IDX file:
// node tests/web_outputs.mjs PAGE.html IMAGES-IDX N OUTDIR
// Takes the module and the two models out of the page itself (what a browser would run), loads
// them through web/twinnet.js, and prints one JSON object: for A, B and B aligned to A, the
// SHA-256 of the N output vectors as little-endian float32, example by example (as `twinnet
// eval` prints "outputs_sha256"), the parameter fingerprints, and what the alignment did (B
// aligned as the page aligns it: by the alignment the page carries).
// Also writes OUTDIR/images (those N images as an IDX file, for the native side of the test).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPage } from './web_page.mjs';

const [page, idxPath, countArg, outDir] = process.argv.slice(2);
if (!outDir) {
  process.stderr.write('usage: node tests/web_outputs.mjs PAGE.html IMAGES-IDX N OUTDIR\n');
  process.exit(2);
}
const idx = readFileSync(idxPath);
if (idx.readUInt32BE(0) !== 0x803 || idx.readUInt32BE(8) !== 28 || idx.readUInt32BE(12) !== 28)
  throw new Error(idxPath + ': not an IDX file of 28x28 images');
const n = Math.min(Number(countArg), idx.readUInt32BE(4));
const images = new Uint8Array(idx.subarray(16, 16 + n * 784));
const header = Buffer.alloc(16);
header.writeUInt32BE(0x803, 0); header.writeUInt32BE(n, 4); header.writeUInt32BE(28, 8); header.writeUInt32BE(28, 12);
writeFileSync(join(outDir, 'images'), Buffer.concat([header, images]));

const started = process.hrtime.bigint();
const tn = await loadPage(page);
const alignment = tn.setAlignment(tn.pageAlignment.permutations, tn.pageAlignment.flips);
const result = { images: n, moved: alignment.moved, flipped: alignment.flipped };
for (const [name, which] of [['a', tn.A], ['b', tn.B], ['b_aligned', tn.B_ALIGNED]]) {
  const { outputs } = tn.run(which, images, n, false);
  const le = Buffer.alloc(4 * outputs.length);
  outputs.forEach((v, i) => le.writeFloatLE(v, 4 * i));
  result['outputs_sha256_' + name] = createHash('sha256').update(le).digest('hex');
  result['fingerprint_' + name] = tn.fingerprint(which);
}
result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify(result));
