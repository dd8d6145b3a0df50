// language/context-files.ts: COPY/ADD sources found in a build context on
// disk, globs matched per path segment as BuildKit matches them.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { existsInContext } from '../../language/context-files';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-ctx-'));
  fs.mkdirSync(path.join(dir, 'src/lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'app.sh'), '');
  fs.writeFileSync(path.join(dir, 'src/lib/a.ts'), '');
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('plain paths', () => {
  assert.ok(existsInContext(dir, 'app.sh'));
  assert.ok(existsInContext(dir, 'src/lib'));
  assert.ok(!existsInContext(dir, 'nope'));
});

test('globs: *, ?, [..] within a segment, never across a /', () => {
  assert.ok(existsInContext(dir, '*.sh'));
  assert.ok(existsInContext(dir, 'a?p.sh'));
  assert.ok(existsInContext(dir, '[a-c]pp.sh'));
  assert.ok(existsInContext(dir, 'src/*/a.ts'));
  assert.ok(!existsInContext(dir, '*.ts'));
  assert.ok(!existsInContext(dir, 'src/*.ts'));
  assert.ok(!existsInContext(dir, '[!a]pp.sh'));
});
