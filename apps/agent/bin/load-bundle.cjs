'use strict';
// Starts the bundled CLI (dist/berth.cjs) with V8's code cache: the first run (scripts/setup.sh
// makes one) saves the compiled code next to the bundle, later runs skip parsing and compiling
// its megabyte of JavaScript. The cache file is named after a hash of the bundle's text, so a
// rebuilt bundle never runs with the code of an older one (V8's own check compares only the
// length); V8 rejects a cache made by another Node version, and then a fresh one is written.
// Nothing here is needed for correctness: without a cache (or a writable dist/) the bundle is
// simply compiled as usual.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const crypto = require('node:crypto');
const Module = require('node:module');

const file = path.join(__dirname, '..', 'dist', 'berth.cjs');
const dir = path.dirname(file);
const source = fs.readFileSync(file, 'utf8');
const cacheFile = `${file}.${crypto.createHash('sha256').update(source).digest('hex').slice(0, 16)}.v8cache`;
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(source), {
  filename: file,
  cachedData,
  // import() inside the bundle (of Node's own modules) works as in any CommonJS file
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
let writable = true;
try {
  fs.accessSync(dir, fs.constants.W_OK);
} catch {
  writable = false; // a read-only install: run without the cache
}
if (writable && (cachedData === undefined || script.cachedDataRejected)) {
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      for (const old of fs.readdirSync(dir)) if (old.startsWith('berth.cjs.') && /\.v8cache(\.\d+\.tmp)?$/.test(old) && path.join(dir, old) !== cacheFile) fs.rmSync(path.join(dir, old), { force: true });
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile); // atomic: a concurrent run reads the old file or this one
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  });
}
const mod = new Module(file, module);
mod.filename = file;
mod.paths = Module._nodeModulePaths(path.dirname(file));
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
