// The page: a digit drawn (or an image dropped) goes through the same preprocessing and the same
// networks as `twinnet predict`, in the WebAssembly module; A and B answer, a sentence says
// whether they agree and which matched hidden units react most differently, and each of A's
// hidden units is drawn beside its match in B (the page's one alignment: activation matching with
// sign flips, found when the page was built). "#demo" in the address draws a 7 by itself.
'use strict';

const $ = (id) => document.getElementById(id);
const fromBase64 = (id) => Uint8Array.from(atob($(id).textContent.trim()), (c) => c.charCodeAt(0));
const pad = $('pad');
const padContext = pad.getContext('2d', { willReadFrequently: true });
let tn = null, alignment = null, aligned = null, hiddenWidth = 0, last = null, cards = [];

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
  // Matched units, most different first: A's unit i against B aligned's unit i (B's unit perm[i],
  // negated where flip[i]: then its activation is 1 - that of B's unit).
  last.order = Array.from({ length: hiddenWidth }, (_, i) => i)
    .sort((i, j) => Math.abs(a.hidden[j] - b2.hidden[j]) - Math.abs(a.hidden[i] - b2.hidden[i]) || i - j);
  $('message').textContent = '';
  showAnswer('a', last.pa);
  showAnswer('b', last.pb);
  showVerdict(argmax(last.pa), argmax(last.pb), last.order.slice(0, 3), a.hidden, b2.hidden);
  showUnits(last.order, a.hidden, b2.hidden);
  $('corr').textContent = 'For your digit, the correlation of A\'s 30 activations with B\'s is ' +
    pearson(a.hidden, b.hidden).toFixed(2) + ' with B\'s units in their own order, and ' + pearson(a.hidden, b2.hidden).toFixed(2) +
    ' aligned (1 would be the same pattern, 0 none).';
}

function showNothing(message) {
  $('message').textContent = message;
  for (const w of ['a', 'b']) { $('digit-' + w).textContent = '?'; showBars('bars-' + w, null); }
  $('seen').getContext('2d').clearRect(0, 0, 28, 28);
  $('verdict').textContent = 'Draw a digit in the box (or open an image of one).';
  showUnits(null, null, null);
  $('corr').textContent = '';
  last = null;
}

function showAnswer(which, p) {
  $('digit-' + which).textContent = argmax(p);
  showBars('bars-' + which, p);
}

// A share as a percentage with one decimal; below 0.05% it would read 0.0, so "<0.1%", and from
// 99.95% it would read 100.0, so ">99.9%".
const percent = (v) => (100 * v < 0.05 ? '<0.1%' : 100 * v >= 99.95 ? '>99.9%' : (100 * v).toFixed(1) + '%');

// Ten rows: the digit, a bar as long as its share, and the share itself.
function showBars(id, p) {
  const list = $(id), best = p ? argmax(p) : -1;
  list.replaceChildren();
  for (let k = 0; k < 10; k++) {
    const li = document.createElement('li'), track = document.createElement('span'), fill = document.createElement('span');
    const label = document.createElement('span'), value = document.createElement('span');
    label.textContent = k;
    track.className = 'track';
    fill.className = 'fill';
    fill.style.width = p ? (100 * p[k]).toFixed(2) + '%' : '0';
    track.append(fill);
    value.className = 'v';
    value.textContent = p ? percent(p[k]) : '';
    if (k === best) li.className = 'best';
    li.append(label, track, value);
    list.append(li);
  }
}

// The answer in words: agree or not, and the matched units that react most differently.
function showVerdict(digitA, digitB, top, actA, actB) {
  const v = $('verdict'), head = document.createElement('b');
  const where = top.map((i) => 'A\'s unit ' + (i + 1) + ' at ' + actA[i].toFixed(2) + ' against B\'s unit ' + (alignment.perm[i] + 1) +
    (alignment.flip[i] ? ' (flipped)' : '') + ' at ' + actB[i].toFixed(2));
  head.textContent = digitA !== digitB ? 'A reads ' + digitA + ', B reads ' + digitB + ': they disagree.' : 'A and B both read ' + digitA + '.';
  v.replaceChildren(head, (digitA !== digitB ? ' Where:' : ' Inside they still differ:') + ' the matched hidden units that react most ' +
    'differently to this digit (activation from 0, silent, to 1, fully on) are ' + where.slice(0, -1).join('; ') + '; and ' +
    where[where.length - 1] + '.');
}

// ---- the hidden units: A's unit beside its match in B ---------------------------------------
// Each unit's 784 incoming weights as a 28x28 grey image, as the report draws them (src/report/
// figures.c): grey 127.5 + 127.5 w / max|w|, rounded (mid-grey 0, white the unit's largest weight
// magnitude, black the same negative).
function weightImage(params, u) {
  const w = params.subarray(u * 784, (u + 1) * 784), img = new ImageData(28, 28);
  let m = 0;
  for (let i = 0; i < 784; i++) m = Math.max(m, Math.abs(w[i]));
  for (let i = 0; i < 784; i++) {
    const g = Math.floor((m > 0 ? 127.5 + 127.5 * w[i] / m : 127.5) + 0.5);
    img.data.set([g, g, g, 255], 4 * i);
  }
  return img;
}

// One pair: A's unit i (left) and B aligned's unit i (right), each with its activation.
function unitCard(i, images) {
  const card = document.createElement('figure'), caption = document.createElement('figcaption');
  const tiles = document.createElement('div');
  card.className = 'unit';
  caption.textContent = 'A\'s unit ' + (i + 1) + ' \u00b7 B\'s unit ' + (alignment.perm[i] + 1) + (alignment.flip[i] ? ' (flipped)' : '');
  tiles.className = 'tiles';
  const sides = [];
  for (const [who, img] of [['A', images[0][i]], ['B', images[1][i]]]) {
    const box = document.createElement('div'), c = document.createElement('canvas'), side = document.createElement('div');
    c.width = 28;
    c.height = 28;
    c.getContext('2d').putImageData(img, 0, 0);
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', who + '\'s incoming weights');
    side.className = 'side';
    box.append(c, side);
    tiles.append(box);
    sides.push([who, side]);
  }
  card.append(caption, tiles);
  return {
    card,
    show(actA, actB) {
      for (const [who, side] of sides) side.textContent = who + (actA ? ' ' + (who === 'A' ? actA[i] : actB[i]).toFixed(2) : '');
    },
  };
}

let images = null;
// The three most different pairs beside the answers, and all pairs below, in order (null: A's).
function showUnits(order, actA, actB) {
  const ids = order || Array.from({ length: hiddenWidth }, (_, i) => i);
  const top = $('top');
  top.replaceChildren();
  $('top-note').hidden = !order;
  if (order)
    for (const i of ids.slice(0, 3)) {
      const c = unitCard(i, images);
      c.show(actA, actB);
      top.append(c.card);
    }
  for (const i of ids) {
    cards[i].show(actA, actB);
    $('all').append(cards[i].card);
  }
}

// ---- start, and the self-test ---------------------------------------------------------------
async function start() {
  tn = await twinnetLoad(fromBase64('wasm'));
  tn.load(tn.A, fromBase64('model-a'));
  tn.load(tn.B, fromBase64('model-b'));
  aligned = JSON.parse($('alignment').textContent);
  alignment = tn.setAlignment(aligned.permutations, aligned.flips);
  hiddenWidth = tn.widths(tn.A)[1];
  const pa = tn.params(tn.A), pb = tn.params(tn.B_ALIGNED);
  images = [Array.from({ length: hiddenWidth }, (_, u) => weightImage(pa, u)), Array.from({ length: hiddenWidth }, (_, u) => weightImage(pb, u))];
  cards = Array.from({ length: hiddenWidth }, (_, i) => unitCard(i, images));
  $('facts').textContent = 'A: seed 1, B: seed 2 (twinnet train --seed N, the defaults otherwise). Aligned to A, B moved ' +
    alignment.moved + ' of its ' + hiddenWidth + ' hidden units and flipped ' + alignment.flipped + '; the distance between ' +
    'the two networks\' parameters, relative to ||A||, went from ' + aligned.relative_distance_before.toFixed(2) + ' to ' +
    aligned.relative_distance.toFixed(2) + '. Parameter fingerprints (SHA-256, as twinnet info prints them): A ' +
    tn.fingerprint(tn.A) + ', B ' + tn.fingerprint(tn.B) + ', B aligned ' + tn.fingerprint(tn.B_ALIGNED) + '.';
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
  verdict: $('verdict').textContent,
  most_different: last.order.slice(0, 3).map((i) => ({ unit_a: i, unit_b: alignment.perm[i], flipped: alignment.flip[i] === 1,
    activation_a: last.a.hidden[i], activation_b_aligned: last.b2.hidden[i] })),
  activations_a: Array.from(last.a.hidden), activations_b: Array.from(last.b.hidden), activations_b_aligned: Array.from(last.b2.hidden),
  perm: alignment.perm, flip: alignment.flip,
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
