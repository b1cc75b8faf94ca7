// One RGBA image through the page's module, as the page does it with a canvas's pixels:
// node tests/web_image.mjs PAGE.html RGBA-FILE WIDTH HEIGHT
// Prints {"a": [...], "b": [...]}: each network's outputs normalised to sum to 1 (summed in order,
// in double), as `twinnet predict` prints them, and the 28x28 image as hex.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [page, rgbaPath, w, h] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const { twinnetLoad } = require(join(dirname(fileURLToPath(import.meta.url)), '..', 'web', 'twinnet.js'));
const html = readFileSync(page, 'utf8');
const embedded = (id) => new Uint8Array(Buffer.from(
  html.match(new RegExp('id="' + id + '">\\s*([A-Za-z0-9+/=]+)\\s*</script>'))[1], 'base64'));
const tn = await twinnetLoad(embedded('wasm'));
tn.load(tn.A, embedded('model-a'));
tn.load(tn.B, embedded('model-b'));
const pre = tn.preprocess(new Uint8Array(readFileSync(rgbaPath)), Number(w), Number(h));
const normalised = (y) => { let s = 0; for (const v of y) s += v; return Array.from(y, (v) => (s > 0 ? v / s : 0)); };
console.log(JSON.stringify({
  a: normalised(tn.run(tn.A, pre.pixels, 1, false).outputs),
  b: normalised(tn.run(tn.B, pre.pixels, 1, false).outputs),
  seen: Buffer.from(pre.pixels).toString('hex'),
}));
