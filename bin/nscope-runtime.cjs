// nscope-runtime: the runc-compatible OCI runtime command line, in Node: the
// reference implementation. bin/nscope-runtime (a link to the native front door,
// build/Release/nscope-runtime-front) answers start/state/kill/delete itself and
// runs this file for everything else; `node bin/nscope-runtime.cjs` runs it alone.
// (.cjs: node need not read package.json to learn the module type.)
//
// An engine starts it several times per container (create, start, state,
// delete), so its start-up counts: the bundle is loaded with V8's code cache
// (./code-cache.cjs).
const path = require('path');
const fs = require('fs');
const entry = path.join(__dirname, '..', 'dist', 'runtime-cli.js');
let source;
try {
  source = fs.readFileSync(entry, 'utf8');
} catch {
  process.stderr.write("nscope-runtime: not built yet: run 'npm install && npm run build' in " + path.join(__dirname, '..') + '\n');
  process.exit(1);
}
const COMMANDS = new Set(['create', 'start', 'state', 'kill', 'delete', 'run', 'exec', 'ps', 'list', 'pause', 'resume', 'update', 'events', 'features', 'spec']);
// one cache per command (the first word that names one; a global option's value that looks like one only picks another cache)
const command = process.argv.slice(2).find((a) => COMMANDS.has(a)) || 'other';
require('./code-cache.cjs')(entry, source, module, command).cli(process.argv.slice(2));
