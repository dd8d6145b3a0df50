// `npm run package`: a small .vsix of the bundled extension and its media —
// no node_modules, no native addon (the extension talks to the helper over
// its socket, so its bundle needs nothing but Node and `vscode`), no sources —
// whose manifest's files (main, icons, walkthrough pages) are all in it.
// The e2e suite (test/e2e/vsix.test.ts) installs it in a real VS Code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO } from '../helpers/daemon';
import { zipEntries } from '../helpers/zip';

const VSIX = path.join(REPO, 'dist', 'nscope.vsix');

test('npm run package: a small .vsix of dist/extension.js, package.json, README and media', () => {
  fs.rmSync(VSIX, { force: true });
  try {
    // --skip-license etc. are in the script: vsce asks nothing on stdin and needs no network
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120000 });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    assert.fail(`npm run package failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
  const size = fs.statSync(VSIX).size;
  assert.ok(size < 1_000_000, `the .vsix is ${size} bytes: .vscodeignore lets too much in`);

  const entries = zipEntries(VSIX);
  const files = entries.map((e) => e.name).filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
  assert.ok(entries.some((e) => e.name === 'extension.vsixmanifest'), 'a VSIX manifest');
  // dist/stats-webview.js: the script of the Show Stats panel, loaded by its webview
  // dist/language-server.js: the Containerfile language server the extension starts
  for (const f of ['dist/extension.js', 'dist/stats-webview.js', 'dist/language-server.js', 'package.json', 'readme.md', 'media/nscope.svg']) assert.ok(files.includes(f), `${f} is packaged: ${files.join(' ')}`);
  const stray = files.filter((f) => !/^(package\.json|readme\.md|dist\/(extension|stats-webview|language-server)\.js|media\/[\w./-]+\.(md|svg|png))$/.test(f));
  assert.deepEqual(stray, [], 'only the bundles, the manifest, the README and media');
  assert.deepEqual(files.filter((f) => /node_modules|\.node$|^build\/|\.(ts|map)$/.test(f)), [], 'no dependencies, native builds, sources or maps');

  // the manifest points only at packaged files
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  assert.ok(files.includes(path.posix.normalize(pkg.main)), `main ${pkg.main} is packaged`);
  for (const c of pkg.contributes.viewsContainers.activitybar) assert.ok(files.includes(c.icon), `icon ${c.icon} is packaged`);
  for (const w of pkg.contributes.walkthroughs) {
    for (const s of w.steps) assert.ok(files.includes(s.media.markdown), `walkthrough step ${s.id}: ${s.media.markdown} is packaged`);
  }

  // the bundle loads nothing but Node's own modules and `vscode` — in particular not the native addon
  const bundle = fs.readFileSync(path.join(REPO, 'dist', 'extension.js'), 'utf8');
  const builtins = new Set(builtinModules);
  const required = [...new Set([...bundle.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]))];
  assert.deepEqual(required.filter((m) => m !== 'vscode' && !builtins.has(m.replace(/^node:/, ''))), [], 'modules the bundle requires that the .vsix lacks');
  assert.doesNotMatch(bundle, /\.node["'`]|process\.dlopen|build\/Release/, 'the bundle refers to a native addon');
});
