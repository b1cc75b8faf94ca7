// A test image on which the page's two networks disagree: node tests/web_disagree.mjs PAGE.html
// IMAGES-IDX OUT.png. Each image, handed over as the page hands over an opened image (grey RGBA,
// opaque), goes through the page's preprocessing and networks A and B; the first one where A's
// digit is not B's is written as an 8-bit grey PNG (what the page reads through its file input),
// and {"index", "a", "b"} printed. Exits 1 when A and B agree on every image.
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { loadPage } from './web_page.mjs';

const [page, idxPath, outPng] = process.argv.slice(2);
const idx = readFileSync(idxPath);
if (idx.readUInt32BE(0) !== 0x803 || idx.readUInt32BE(8) !== 28 || idx.readUInt32BE(12) !== 28)
  throw new Error(idxPath + ': not an IDX file of 28x28 images');
const tn = await loadPage(page);
const argmax = (v) => v.indexOf(Math.max(...v));

// PNG (ISO 15948): signature, IHDR (28x28, 8-bit grey), one IDAT of filter-0 rows, IEND.
function crc32(bytes) {
  let c = ~0;
  for (const byte of bytes) { c ^= byte; for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1)); }
  return ~c >>> 0;
}
function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
function greyPng(pixels) {
  const ihdr = Buffer.alloc(13), rows = Buffer.alloc(28 * 29);
  ihdr.writeUInt32BE(28, 0); ihdr.writeUInt32BE(28, 4); ihdr[8] = 8; // bit depth 8, colour type 0 (grey)
  for (let y = 0; y < 28; y++) rows.set(pixels.subarray(28 * y, 28 * y + 28), 29 * y + 1);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0))]);
}

for (let n = 0; n < idx.readUInt32BE(4); n++) {
  const pixels = idx.subarray(16 + 784 * n, 16 + 784 * (n + 1)), rgba = new Uint8Array(4 * 784);
  for (let i = 0; i < 784; i++) rgba.set([pixels[i], pixels[i], pixels[i], 255], 4 * i);
  const pre = tn.preprocess(rgba, 28, 28);
  const a = argmax(Array.from(tn.run(tn.A, pre.pixels, 1, false).outputs)), b = argmax(Array.from(tn.run(tn.B, pre.pixels, 1, false).outputs));
  if (a !== b) {
    writeFileSync(outPng, greyPng(pixels));
    console.log(JSON.stringify({ index: n, a, b }));
    process.exit(0);
  }
}
process.stderr.write('A and B agree on every image of ' + idxPath + '\n');
process.exit(1);
