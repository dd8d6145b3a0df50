// --env-file and -e KEY as Docker's client reads them.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { envFromFlags, parseEnvFile } from '../../helper/cli/env-file';

test('env file: KEY=VALUE as it is, KEY alone from the client, comments and blank lines skipped', () => {
  const env = { HOME_DIR: '/home/me', EMPTY: '' };
  assert.deepEqual(parseEnvFile('# a comment\n\nA=1\n  B=two words = and more \nHOME_DIR\nMISSING\nEMPTY\nC=\n\tD="q"\r\n', 'f', env),
    ['A=1', 'B=two words = and more ', 'HOME_DIR=/home/me', 'EMPTY=', 'C=', 'D="q"']);
  assert.deepEqual(parseEnvFile('\uFEFFA=1', 'f', {}), ['A=1']);
  assert.throws(() => parseEnvFile('BAD KEY=1', 'f', {}), /^Error: poorly formatted environment: variable 'BAD KEY' contains whitespaces$/);
  assert.throws(() => parseEnvFile('=1', 'f', {}), /poorly formatted environment: no variable name on line '=1'/);
});

test('env files first, then -e (which wins); a missing file or bad bytes name the file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'envfile-'));
  try {
    const f = path.join(dir, 'e.env');
    fs.writeFileSync(f, 'A=file\nB=file\n');
    assert.deepEqual(envFromFlags([f], ['A=flag', 'FROM_HERE', 'UNSET'], { FROM_HERE: 'x' }), ['A=file', 'B=file', 'A=flag', 'FROM_HERE=x']);
    assert.equal(envFromFlags(undefined, undefined), undefined);
    assert.throws(() => envFromFlags([path.join(dir, 'nope')], undefined), /^Error: open .*nope: no such file or directory$/);
    fs.writeFileSync(f, Buffer.from([0x41, 0x3d, 0x31, 0x0a, 0x42, 0x3d, 0xff, 0xfe, 0x0a]));
    assert.throws(() => envFromFlags([f], undefined), /env file .* contains invalid utf8 bytes at line 2/);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});
