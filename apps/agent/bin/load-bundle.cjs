'use strict';
// Starts the bundled CLI (dist/berth.cjs) with V8's code cache: the first run (scripts/setup.sh
// makes one) saves the compiled code next to the bundle, later runs skip parsing and compiling
// its megabyte of JavaScript. The cache file is named after the bundle's size and mtime, so a
// rebuilt bundle never runs with the code of an older one; V8 itself rejects a cache made by
// another Node version, and then a fresh one is written. Nothing here is needed for correctness:
// without a cache (or a writable dist/) the bundle is simply compiled as usual.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const file = path.join(__dirname, '..', 'dist', 'berth.cjs');
const st = fs.statSync(file);
const cacheFile = `${file}.${st.size}-${Math.trunc(st.mtimeMs)}.v8cache`;
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), {
  filename: file,
  cachedData,
  // import() inside the bundle (of Node's own modules) works as in any CommonJS file
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (cachedData === undefined || script.cachedDataRejected) {
  process.once('exit', () => {
    try {
      for (const old of fs.readdirSync(path.dirname(file))) if (old.startsWith('berth.cjs.') && old.endsWith('.v8cache')) fs.rmSync(path.join(path.dirname(file), old), { force: true });
      const tmp = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {
      // a read-only install: run without the cache
    }
  });
}
const mod = new Module(file, module);
mod.filename = file;
mod.paths = Module._nodeModulePaths(path.dirname(file));
script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
