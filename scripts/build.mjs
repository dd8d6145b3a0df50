// Bundles the TypeScript entry points with esbuild into dist/.
// Tests and benchmarks are bundled one file each so `node --test dist/test/` runs them.
import { build } from 'esbuild';
import { readdirSync, statSync, existsSync, rmSync, readFileSync, writeFileSync } from 'fs';
import { builtinModules } from 'module';
import { join, relative } from 'path';

const root = new URL('..', import.meta.url).pathname;

function find(dir, re, out = []) {
  if (!existsSync(join(root, dir))) return out;
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) find(rel, re, out);
    else if (re.test(name)) out.push(rel);
  }
  return out;
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['vscode'],
  absWorkingDir: root,
};

const entries = {
  'cli': 'helper/cli/main.ts',
  'runtime-cli': 'helper/cli/runtime-main.ts',
  // the process that copies into and out of a container, chrooted into it (helper/files/worker.ts)
  'files-worker': 'helper/files/worker-main.ts',
  // the Containerfile language server, started by the extension over stdio (language/server.ts)
  'language-server': 'language/main.ts',
};
if (existsSync(join(root, 'extension/extension.ts'))) entries['extension'] = 'extension/extension.ts';
for (const f of [...find('test', /\.test\.ts$/), ...find('bench', /\.ts$/)]) {
  entries[relative(root, join(root, f)).replace(/\.ts$/, '')] = f;
}
const present = Object.fromEntries(Object.entries(entries).filter(([, f]) => existsSync(join(root, f))));
await build({ ...common, entryPoints: present, outdir: join(root, 'dist') });
// The stats panel's script runs in the webview (a browser), not in Node: a bundle of its own.
if (existsSync(join(root, 'extension/stats/webview/main.ts'))) {
  await build({ ...common, platform: 'browser', format: 'iife', target: 'es2022', external: [], entryPoints: { 'stats-webview': 'extension/stats/webview/main.ts' }, outdir: join(root, 'dist') });
}

// nscope-runtime starts once per engine call (create, start, delete…), nscope once per command
// (a timed `nscope pull` included): their start-up counts. esbuild turns each
// `import * as fs from 'fs'` into `__toESM(require("fs"))`, a fresh object with a getter per
// export — 44 of them in nscope-runtime, ~7 ms of CPU at every start (183 in nscope, ~20 ms).
// A namespace import of a Node built-in needs none of that: where the bundle never reads
// `.default` of it, the module object itself is used (same properties, same values).
//
// And in nscope-runtime, a built-in that Node's own start-up has not loaded (net, crypto,
// child_process, os…: ~5 ms of CPU together, net alone pulling in streams) is required at its
// first use, not at the bundle's load: `create` needs none of them, `exec` or a hook does. Its
// variable becomes a proxy that requires the module on the first property read; esbuild only
// ever reads properties of such a variable (`net.Socket`, `(0, import_crypto.createHash)(…)`).
// In nscope, only the heavy ones that most commands never use (https, tls, http, zlib,
// child_process: ~2 ms of a start of ~50, measured): the daemon reads the others (net, stream,
// crypto) in hot paths, where a proxy's get would cost; these it reads once per request, spawn
// or layer.
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const loadedAtStart = new Set(['fs', 'node:fs', 'path', 'node:path']);
const heavy = new Set(['https', 'http', 'tls', 'http2', 'zlib', 'dgram', 'child_process', 'worker_threads', 'readline', 'inspector'].flatMap((m) => [m, `node:${m}`]));
const lazyHere = (f, mod) => (f === 'runtime-cli.js' ? builtins.has(mod) && !loadedAtStart.has(mod) : heavy.has(mod));
const lazyBuiltin = 'var __lazyBuiltin = (id) => { let m; return new Proxy({}, { get: (_, k) => (m ??= require(id))[k] }); };';
for (const f of ['runtime-cli.js', 'cli.js']) {
  const file = join(root, 'dist', f);
  const src = readFileSync(file, 'utf8');
  let lazy = 0;
  // top-level `var X = require(…)`, or `X = require(…)` in a module esbuild initializes lazily (__esm)
  const out = src.replace(/^(var |\s+)(\w+) = __toESM\(require\("([\w:/]+)"\)\);$/gm, (line, pre, v, mod) => (
    builtins.has(mod) && !new RegExp(`\\b${v}\\.default\\b`).test(src) ? `${pre}${v} = require("${mod}");` : line))
    .replace(/^(var |\s+)(\w+) = require\("([\w:/]+)"\);$/gm, (line, pre, v, mod) => (
      lazyHere(f, mod) ? (lazy++, `${pre}${v} = __lazyBuiltin("${mod}");`) : line));
  writeFileSync(file, lazy ? out.replace(/^"use strict";\n/, (s) => `${s}${lazyBuiltin}\n`) : out);
}
// bin/nscope-runtime's V8 code cache (keyed by the bundle's size and mtime): the old bundle's goes
rmSync(join(root, 'dist', '.cache'), { recursive: true, force: true });
