// twinnet from JavaScript: instantiates the WebAssembly module (web/api.c and the library,
// compiled by `make web`) and wraps its calls. The page has this file inlined; the Node.js test
// (tests/web_outputs.mjs) loads it as it is. No I/O happens in the module: its few WASI imports
// are answered here (no environment, output to the console, exit as an exception).
'use strict';

async function twinnetLoad(wasmBytes) {
  let memory = null;
  const view = () => new DataView(memory.buffer);
  const bytes = () => new Uint8Array(memory.buffer);
  const EBADF = 8;
  const wasi = {
    environ_sizes_get(countPtr, sizePtr) {
      view().setUint32(countPtr, 0, true);
      view().setUint32(sizePtr, 0, true);
      return 0;
    },
    environ_get() { return 0; },
    fd_close() { return EBADF; },
    fd_seek() { return EBADF; },
    fd_write(fd, iovs, count, writtenPtr) {
      let text = '', total = 0;
      for (let i = 0; i < count; i++) {
        const ptr = view().getUint32(iovs + 8 * i, true), len = view().getUint32(iovs + 8 * i + 4, true);
        text += new TextDecoder().decode(bytes().subarray(ptr, ptr + len));
        total += len;
      }
      if (text) console.log('twinnet (fd ' + fd + '): ' + text.replace(/\n$/, ''));
      view().setUint32(writtenPtr, total, true);
      return 0;
    },
    proc_exit(code) { throw new Error('twinnet: the module exited with status ' + code); },
  };
  const { instance } = await WebAssembly.instantiate(wasmBytes, { wasi_snapshot_preview1: wasi });
  const x = instance.exports;
  memory = x.memory;
  x._initialize();

  const cstring = (p) => {
    const b = bytes();
    let end = p;
    while (b[end]) end++;
    return new TextDecoder().decode(b.subarray(p, end));
  };
  const check = (status) => { if (status !== 0) throw new Error(cstring(x.tw_error())); };
  // Memory of n bytes in the module for fn(pointer); freed after, whatever happens.
  const withMemory = (n, fn) => {
    const p = x.tw_alloc(n);
    if (!p) throw new Error('twinnet: out of memory (' + n + ' bytes)');
    try { return fn(p); } finally { x.tw_free(p); }
  };
  const A = 0, B = 1, B_ALIGNED = 2;

  return {
    A, B, B_ALIGNED,
    // Model A or B from a model file's bytes (Uint8Array).
    load(which, file) {
      withMemory(file.length, (p) => { bytes().set(file, p); check(x.tw_load(which, p, file.length)); });
    },
    // B aligned to A as an alignment says: the page's (`twinnet align --method activation --json`
    // when the page was built), {permutations: [[...] per hidden layer], flips: [[...]]}. Returns
    // the first hidden layer's: A's unit i is B's perm[i], negated where flip[i].
    setAlignment(permutations, flips) {
      const perm = permutations.flat(), flip = flips.flat();
      withMemory(5 * perm.length, (p) => {
        new Uint32Array(memory.buffer, p, perm.length).set(perm);
        bytes().set(flip, p + 4 * perm.length);
        check(x.tw_set_alignment(p, p + 4 * perm.length));
      });
      const n = x.tw_width(A, 1), permPtr = x.tw_perm(), flipPtr = x.tw_flip();
      return {
        perm: permPtr ? Array.from(new Uint32Array(memory.buffer, permPtr, n)) : [],
        flip: flipPtr ? Array.from(new Uint8Array(memory.buffer, flipPtr, n)) : [],
        moved: x.tw_moved(), flipped: x.tw_flipped(),
      };
    },
    widths(which) {
      const w = [];
      for (let l = 0; l < x.tw_layers(which); l++) w.push(x.tw_width(which, l));
      return w;
    },
    softmax: (which) => x.tw_softmax(which) === 1,
    fingerprint: (which) => cstring(x.tw_fingerprint(which)),
    // The canonical parameters (W1 as (out, in) row-major, b1, W2, b2, ...) as a Float32Array.
    params(which) {
      const n = x.tw_params(which, 0);
      return withMemory(4 * n, (p) => { x.tw_params(which, p); return new Float32Array(memory.buffer.slice(p, p + 4 * n)); });
    },
    // MNIST's preprocessing of RGBA pixels (a canvas's ImageData): 784 bytes and what was done.
    preprocess(rgba, width, height) {
      return withMemory(rgba.length + 784 + 40, (p) => {
        bytes().set(rgba, p);
        const out = p + rgba.length, info = out + 784;
        check(x.tw_preprocess(p, width, height, out, info));
        const i = new Int32Array(memory.buffer.slice(info, info + 40));
        return {
          pixels: bytes().slice(out, out + 784),
          inverted: i[0] === 1, composited: i[1], box: [i[2], i[3], i[4], i[5]], left: i[6], top: i[7], fit: [i[8], i[9]],
        };
      });
    },
    // Network which on n images (Uint8Array of n*784): outputs, and the first hidden layer's
    // activations where hidden is true, as Float32Arrays.
    run(which, images, n, hidden) {
      const w = this.widths(which), nOut = w[w.length - 1], nHid = w.length > 2 ? w[1] : 0;
      const outBytes = 4 * n * nOut, hidBytes = hidden ? 4 * n * nHid : 0;
      return withMemory(images.length + outBytes + hidBytes, (p) => {
        bytes().set(images, p);
        const out = p + images.length, hid = hidden ? out + outBytes : 0;
        check(x.tw_run(which, p, n, out, hid));
        return {
          outputs: new Float32Array(memory.buffer.slice(out, out + outBytes)),
          hidden: hidden ? new Float32Array(memory.buffer.slice(hid, hid + hidBytes)) : null,
        };
      });
    },
  };
}

if (typeof module !== 'undefined') module.exports = { twinnetLoad };
