// `npm run package`: a .vsix with the bundled extension and its media only —
// no node_modules, no native addon (the extension talks to the helper over
// its socket), no sources — whose walkthrough files all exist.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { REPO } from '../helpers/daemon';

test('npm run package: a small .vsix of dist/extension.js, package.json, README and media', () => {
  const vsix = path.join(REPO, 'dist', 'nscope.vsix');
  fs.rmSync(vsix, { force: true });
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: REPO, stdio: 'ignore', timeout: 120000 });
  const size = fs.statSync(vsix).size;
  assert.ok(size > 10_000 && size < 2_000_000, `vsix size ${size}`);
  const files = execFileSync(path.join(REPO, 'node_modules', '.bin', 'vsce'), ['ls', '--no-dependencies'], { cwd: REPO, encoding: 'utf8' })
    .split('\n').filter(Boolean);
  assert.ok(files.includes('dist/extension.js') && files.includes('package.json'), files.join(' '));
  const stray = files.filter((f) => !/^(package\.json|README\.md|dist\/extension\.js|media\/.+)$/.test(f));
  assert.deepEqual(stray, [], 'only the bundle, the manifest, the README and media');
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  for (const w of pkg.contributes.walkthroughs) {
    for (const s of w.steps) assert.ok(files.includes(s.media.markdown), `walkthrough step ${s.id}: ${s.media.markdown} is packaged`);
  }
});
