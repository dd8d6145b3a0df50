// `nscope build --secret`'s parser (helper/build/secrets.ts) and commit's
// `exclude` list (helper/rootfs/commit.ts): what they take and what they refuse.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseSecrets } from '../../helper/build/secrets';
import { excludedNames } from '../../helper/rootfs/commit';

test('--secret: from a file, a variable named by env= or by the id; refused: no id, a twice-given id, unknown keys, a missing file or variable, too large', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-secrets-'));
  try {
    const file = path.join(dir, 'tok');
    fs.writeFileSync(file, 'from-file');
    const env = { A_VAR: 'from-env', same: 'by-id' };
    const got = parseSecrets([`id=f,src=${file}`, 'id=e,env=A_VAR', 'id=same', `id=s,source=${file},type=file`, 'id=t,type=env,src=A_VAR'], env);
    assert.deepEqual(Object.fromEntries([...got].map(([k, v]) => [k, v.toString()])), { f: 'from-file', e: 'from-env', same: 'by-id', s: 'from-file', t: 'from-env' });
    const refused: [string[], RegExp][] = [
      [['src=/x'], /an id is needed/],
      [['id=../x,src=/x'], /an id is needed/],
      [['id=a,env=A_VAR', 'id=a,env=A_VAR'], /given twice/],
      [['id=a,colour=red'], /unknown key "colour"/],
      [['id=a,src'], /is not KEY=VALUE/],
      [[`id=a,src=${path.join(dir, 'none')}`], /no such file/],
      [[`id=a,src=${dir}`], /is not a file/],
      [['id=a,env=NOT_SET_HERE'], /the environment variable NOT_SET_HERE is not set/],
      [['id=nothing'], /no src=FILE, and no environment variable nothing/],
      [['id=a,type=socket'], /type is file or env/],
    ];
    for (const [specs, want] of refused) assert.throws(() => parseSecrets(specs, env), want, specs.join(' '));
    fs.writeFileSync(file, Buffer.alloc(600 * 1024));
    assert.throws(() => parseSecrets([`id=big,src=${file}`], env), /a secret is at most 512000/);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test('commit exclude: absolute paths as normalized relative names; refused: relative, "/", NUL, not a list, too many', () => {
  assert.deepEqual([...excludedNames(['/app/req.txt', '/run//secrets/tok/', '/a/../b'])], ['app/req.txt', 'run/secrets/tok', 'b']);
  assert.equal(excludedNames(undefined).size, 0);
  for (const bad of [['app'], ['/'], ['/a\0b'], '/a', [1], Array.from({ length: 65 }, (_, i) => `/x${i}`)]) {
    assert.throws(() => excludedNames(bad), /commit: exclude/, JSON.stringify(bad).slice(0, 40));
  }
});
