// Loads a bundle of dist/ with V8's code cache (what `module.enableCompileCache()`
// does on node >= 22, by hand for node 20), for the commands whose start-up counts:
// nscope-runtime (started several times per container by an engine) and nscope
// (every CLI command; a `pull` is timed from the shell). dist/.cache/ holds the
// code of the functions compiled during a first run, keyed by the bundle's size
// and mtime and V8's version; a missing, stale, rejected or unwritable cache only
// means compiling as usual. NSCOPE_NO_CODE_CACHE (or the older
// NSCOPE_RUNTIME_NO_CODE_CACHE) turns it off.
const path = require('path');
const fs = require('fs');

/**
 * The exports of `entry` (dist/NAME.js, whose source is `source`), compiled with the cache.
 * `variant` keeps one cache per command where commands differ a lot: a cache made by the
 * first run of all, often nscope-runtime's `--version` (dockerd asks at its start), lacks
 * create's functions, and every create would compile them again (~3-7 ms of CPU).
 */
module.exports = function loadCached(entry, source, parent, variant) {
  if (process.env.NSCOPE_NO_CODE_CACHE || process.env.NSCOPE_RUNTIME_NO_CODE_CACHE) return require(entry);
  const vm = require('vm');
  const Module = require('module');
  const st = fs.statSync(entry);
  const name = path.basename(entry, '.js') + (variant ? `-${variant}` : '');
  const cacheFile = path.join(path.dirname(entry), '.cache', `${name}-${process.versions.v8}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.bin`);
  let cachedData;
  try { cachedData = fs.readFileSync(cacheFile); } catch { /* first run */ }
  const script = new vm.Script(Module.wrap(source), { filename: entry, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    // after the run: the functions it compiled lazily are in the cache too (a failed
    // run's would lack most of what the command does when it succeeds)
    process.once('exit', (code) => {
      if (code !== 0) return;
      try {
        const data = script.createCachedData();
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, data);
        fs.renameSync(tmp, cacheFile);
      } catch { /* read-only or full: compile next time too */ }
    });
  }
  const m = new Module(entry, parent);
  m.filename = entry;
  m.paths = Module._nodeModulePaths(path.dirname(entry));
  m.loaded = true;
  script.runInThisContext()(m.exports, Module.createRequire(entry), m, entry, path.dirname(entry));
  return m.exports;
};
