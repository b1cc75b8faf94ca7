// Runs a WASI command module (build/web/twinnet-cli.wasm: the twinnet command line compiled to
// WebAssembly) under Node.js: node web/wasi-run.mjs MODULE.wasm ARGS...  The host's files are
// reachable by absolute path (the root is preopened); the exit status is the program's.
import { WASI } from 'node:wasi';
import { readFileSync } from 'node:fs';

const [modulePath, ...args] = process.argv.slice(2);
if (!modulePath) {
  process.stderr.write('usage: node wasi-run.mjs MODULE.wasm ARGS...\n');
  process.exit(2);
}
const wasi = new WASI({
  version: 'preview1',
  args: ['twinnet', ...args],
  env: process.env,
  preopens: { '/': '/' },
  returnOnExit: true,
});
const module = await WebAssembly.compile(readFileSync(modulePath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
