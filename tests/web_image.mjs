// One RGBA image through the page's module, as the page does it with a canvas's pixels:
// node tests/web_image.mjs PAGE.html RGBA-FILE WIDTH HEIGHT
// Prints {"a": [...], "b": [...]}: each network's outputs normalised to sum to 1 (summed in order,
// in double), as `twinnet predict` prints them.
import { readFileSync } from 'node:fs';
import { loadPage } from './web_page.mjs';

const [page, rgbaPath, w, h] = process.argv.slice(2);
const tn = await loadPage(page);
const pre = tn.preprocess(new Uint8Array(readFileSync(rgbaPath)), Number(w), Number(h));
const normalised = (y) => { let s = 0; for (const v of y) s += v; return Array.from(y, (v) => (s > 0 ? v / s : 0)); };
console.log(JSON.stringify({
  a: normalised(tn.run(tn.A, pre.pixels, 1, false).outputs),
  b: normalised(tn.run(tn.B, pre.pixels, 1, false).outputs),
}));
