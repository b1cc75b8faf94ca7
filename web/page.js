// The page: a digit drawn (or an image dropped) goes through the same preprocessing and the same
// networks as `twinnet predict`, in the WebAssembly module; A and B answer, and their hidden
// units are shown raw and with B aligned to A. "#demo" in the address draws a 7 by itself.
'use strict';

const $ = (id) => document.getElementById(id);
const fromBase64 = (id) => Uint8Array.from(atob($(id).textContent.trim()), (c) => c.charCodeAt(0));
const pad = $('pad');
const padContext = pad.getContext('2d', { willReadFrequently: true });
let tn = null, alignment = null, hiddenWidth = 0, last = null;

function argmax(v) { let b = 0; for (let k = 1; k < v.length; k++) if (v[k] > v[b]) b = k; return b; }
// The outputs normalised to sum to 1 (summed in order, in double), as `twinnet predict`.
function normalised(y) {
  let sum = 0;
  for (let k = 0; k < y.length; k++) sum += y[k];
  return Array.from(y, (v) => (sum > 0 ? v / sum : 0));
}
function pearson(a, b) {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

// ---- drawing --------------------------------------------------------------------------------
let drawing = false, pending = false;
function point(e) {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
}
function startPad() {
  padContext.lineWidth = 18;
  padContext.lineCap = 'round';
  padContext.lineJoin = 'round';
  padContext.strokeStyle = '#000';
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    if (pad.setPointerCapture && e.isTrusted) pad.setPointerCapture(e.pointerId);
    const [x, y] = point(e);
    padContext.beginPath();
    padContext.moveTo(x, y);
    padContext.lineTo(x + 0.01, y);
    padContext.stroke();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const [x, y] = point(e);
    padContext.lineTo(x, y);
    padContext.stroke();
    if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; classify(); }); }
  });
  const end = () => { if (drawing) { drawing = false; classify(); } };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  $('clear').addEventListener('click', () => { padContext.clearRect(0, 0, pad.width, pad.height); showNothing(''); });
  $('file').addEventListener('change', (e) => { if (e.target.files[0]) openImage(e.target.files[0]); });
  pad.addEventListener('dragover', (e) => e.preventDefault());
  pad.addEventListener('drop', (e) => { e.preventDefault(); if (e.dataTransfer.files[0]) openImage(e.dataTransfer.files[0]); });
}
// An image file, fitted into the pad (its own pixels, not the pad's, are what gets classified).
function openImage(file) {
  const url = URL.createObjectURL(file), img = new Image();
  img.onload = () => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const cc = c.getContext('2d', { willReadFrequently: true });
    cc.drawImage(img, 0, 0);
    padContext.clearRect(0, 0, pad.width, pad.height);
    const s = Math.min(pad.width / c.width, pad.height / c.height);
    padContext.drawImage(img, (pad.width - c.width * s) / 2, (pad.height - c.height * s) / 2, c.width * s, c.height * s);
    classifyPixels(cc.getImageData(0, 0, c.width, c.height));
    URL.revokeObjectURL(url);
  };
  img.onerror = () => showNothing(file.name + ': the browser cannot read this image');
  img.src = url;
}

// ---- classifying ----------------------------------------------------------------------------
function classify() { classifyPixels(padContext.getImageData(0, 0, pad.width, pad.height)); }

function classifyPixels(image) {
  let pre;
  try {
    pre = tn.preprocess(image.data, image.width, image.height);
  } catch (e) {
    showNothing(e.message);
    return;
  }
  const seen = $('seen').getContext('2d'), px = seen.createImageData(28, 28);
  for (let i = 0; i < 784; i++) px.data.set([pre.pixels[i], pre.pixels[i], pre.pixels[i], 255], 4 * i);
  seen.putImageData(px, 0, 0);
  const a = tn.run(tn.A, pre.pixels, 1, true), b = tn.run(tn.B, pre.pixels, 1, true), b2 = tn.run(tn.B_ALIGNED, pre.pixels, 1, true);
  last = { pre, a, b, b2, pa: normalised(a.outputs), pb: normalised(b.outputs) };
  $('message').textContent = '';
  showAnswer('a', last.pa);
  showAnswer('b', last.pb);
  drawActivations([a.hidden, b.hidden, b2.hidden]);
  $('corr').textContent = 'Correlation of the 30 activations with A\'s: B in its own order ' +
    pearson(a.hidden, b.hidden).toFixed(2) + ', B aligned to A ' + pearson(a.hidden, b2.hidden).toFixed(2) +
    ' (B aligned answers exactly as B: ' + argmax(b2.outputs) + ').';
}

function showNothing(message) {
  $('message').textContent = message;
  for (const w of ['a', 'b']) { $('digit-' + w).textContent = '?'; showBars('bars-' + w, null); }
  $('seen').getContext('2d').clearRect(0, 0, 28, 28);
  drawActivations(null);
  $('corr').textContent = '';
  last = null;
}

function showAnswer(which, p) {
  $('digit-' + which).textContent = argmax(p);
  showBars('bars-' + which, p);
}

function showBars(id, p) {
  const c = $(id), g = c.getContext('2d'), w = c.width / 10, best = p ? argmax(p) : -1;
  g.clearRect(0, 0, c.width, c.height);
  g.font = '16px system-ui, sans-serif';
  g.textAlign = 'center';
  for (let k = 0; k < 10; k++) {
    const h = p ? p[k] * (c.height - 24) : 0;
    g.fillStyle = k === best ? '#c33' : '#6a8fc0';
    g.fillRect(k * w + 4, c.height - 20 - h, w - 8, h);
    g.fillStyle = '#222';
    g.fillText(String(k), k * w + w / 2, c.height - 3);
  }
}

// Three rows of cells: A, B in its own order, B aligned to A.
function drawActivations(rows) {
  const c = $('acts'), g = c.getContext('2d'), left = 130, cw = (c.width - left) / hiddenWidth, ch = 28;
  g.clearRect(0, 0, c.width, c.height);
  g.font = '13px system-ui, sans-serif';
  const names = ['A', 'B, its own order', 'B aligned to A'];
  for (let r = 0; r < 3; r++) {
    g.fillStyle = '#222';
    g.fillText(names[r], 0, r * (ch + 4) + 19);
    for (let i = 0; i < hiddenWidth; i++) {
      const v = rows ? rows[r][i] : 0;
      g.fillStyle = rows ? 'rgb(' + Math.round(255 * v) + ',' + Math.round(200 * v) + ',' + Math.round(60 * (1 - v)) + ')' : '#ddd';
      g.fillRect(left + i * cw + 1, r * (ch + 4), cw - 2, ch);
    }
  }
}

// Each hidden unit's 784 incoming weights as a 28x28 tile, 15 tiles a row, 1 pixel apart.
function drawFields(id, params) {
  const c = $(id), g = c.getContext('2d'), img = g.createImageData(c.width, c.height);
  img.data.fill(255);
  for (let u = 0; u < hiddenWidth; u++) {
    const w = params.subarray(u * 784, (u + 1) * 784);
    let m = 0;
    for (let i = 0; i < 784; i++) m = Math.max(m, Math.abs(w[i]));
    const tx = (u % 15) * 29, ty = Math.floor(u / 15) * 29;
    for (let i = 0; i < 784; i++) {
      const v = m > 0 ? w[i] / m : 0, o = 4 * ((ty + Math.floor(i / 28)) * c.width + tx + (i % 28));
      img.data.set(v >= 0 ? [255, Math.round(255 * (1 - v)), Math.round(255 * (1 - v)), 255]
                          : [Math.round(255 * (1 + v)), Math.round(255 * (1 + v)), 255, 255], o);
    }
  }
  g.putImageData(img, 0, 0);
}

// ---- start, and the self-test ---------------------------------------------------------------
async function start() {
  tn = await twinnetLoad(fromBase64('wasm'));
  tn.load(tn.A, fromBase64('model-a'));
  tn.load(tn.B, fromBase64('model-b'));
  alignment = tn.align();
  hiddenWidth = tn.widths(tn.A)[1];
  drawFields('fields-a', tn.params(tn.A));
  drawFields('fields-b', tn.params(tn.B));
  drawFields('fields-b2', tn.params(tn.B_ALIGNED));
  $('facts').textContent = 'Weight matching moved ' + alignment.moved + ' of B\'s ' + hiddenWidth + ' units and flipped the sign of ' +
    alignment.flipped + ' (then the unit computes 1 - its activation, and the next layer makes up for it). Fingerprints: A ' +
    tn.fingerprint(tn.A).slice(0, 16) + '..., B ' + tn.fingerprint(tn.B).slice(0, 16) + '..., B aligned ' +
    tn.fingerprint(tn.B_ALIGNED).slice(0, 16) + '...';
  startPad();
  showNothing('');
  window.twinnetReadyMs = performance.now();
  $('status').textContent = 'Ready in ' + Math.round(window.twinnetReadyMs) + ' ms. twinnet ' + (tn.widths(tn.A).join(',')) +
    '; module and models are inside this page, nothing is fetched.';
  if (location.hash === '#demo') demo();
}

// What the page computed for the last digit, as JSON: for tests (tests/t_web_browser.py).
window.twinnetReport = () => JSON.stringify(last ? {
  ok: true, ready_ms: Math.round(window.twinnetReadyMs),
  answer_a: argmax(last.pa), answer_b: argmax(last.pb), answer_b_aligned: argmax(last.b2.outputs),
  probabilities_a: last.pa, probabilities_b: last.pb,
  seen: Array.from(last.pre.pixels, (v) => v.toString(16).padStart(2, '0')).join(''),
  png: pad.toDataURL('image/png'),
  fingerprint_a: tn.fingerprint(tn.A), fingerprint_b: tn.fingerprint(tn.B), fingerprint_b_aligned: tn.fingerprint(tn.B_ALIGNED),
  moved: alignment.moved, flipped: alignment.flipped,
} : { ok: false, ready_ms: window.twinnetReadyMs, message: $('message').textContent });

// "#demo": draws a 7 by synthetic pointer events, through the pad's own handlers.
function demo() {
  const r = pad.getBoundingClientRect(), sx = r.width / pad.width, sy = r.height / pad.height;
  const stroke = [[70, 60], [210, 60], [190, 110], [160, 170], [135, 235]];
  const send = (type, [x, y]) => pad.dispatchEvent(new PointerEvent(type, {
    bubbles: true, pointerId: 1, pointerType: 'mouse', clientX: r.left + x * sx, clientY: r.top + y * sy, buttons: 1 }));
  send('pointerdown', stroke[0]);
  for (let i = 1; i < stroke.length; i++)
    for (let s = 1; s <= 10; s++) {
      const [x0, y0] = stroke[i - 1], [x1, y1] = stroke[i];
      send('pointermove', [x0 + (x1 - x0) * s / 10, y0 + (y1 - y0) * s / 10]);
    }
  send('pointerup', stroke[stroke.length - 1]);
}

start().catch((e) => { $('status').textContent = 'twinnet could not start: ' + e.message; });
