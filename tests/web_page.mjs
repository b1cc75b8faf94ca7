// The browser page's module and models, taken out of the page itself (what a browser runs) and
// loaded through web/twinnet.js, for the Node.js tests (web_outputs.mjs, web_image.mjs).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { twinnetLoad } = require(join(dirname(fileURLToPath(import.meta.url)), '..', 'web', 'twinnet.js'));

// twinnet.js's object for PAGE.html's module, with models A and B loaded; .pageAlignment is the
// alignment the page carries (`twinnet align --method activation --json`, parsed).
export async function loadPage(page) {
  const html = readFileSync(page, 'utf8');
  const embedded = (id) => {
    const m = html.match(new RegExp('<script type="application/octet-stream" id="' + id + '">\\s*([A-Za-z0-9+/=]+)\\s*</script>'));
    if (!m) throw new Error(page + ': no embedded ' + id);
    return new Uint8Array(Buffer.from(m[1], 'base64'));
  };
  const tn = await twinnetLoad(embedded('wasm'));
  tn.load(tn.A, embedded('model-a'));
  tn.load(tn.B, embedded('model-b'));
  const json = html.match(/<script type="application\/json" id="alignment">([^<]*)<\/script>/);
  if (!json) throw new Error(page + ': no embedded alignment');
  tn.pageAlignment = JSON.parse(json[1]);
  return tn;
}
