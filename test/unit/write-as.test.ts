// Who the editor's file changes are made as (issue 14): the forms of `user`
// the protocol takes, and the lookup in a container's passwd and group files
// that the files worker does after its chroot (helper/runtime/user.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invalid } from '../../helper/errors';
import { writeAsProblem } from '../../helper/protocol/types/files';
import { resolveUserFrom } from '../../helper/runtime/user';

test('user: Docker\'s -u forms pass, anything else is named in the refusal', () => {
  for (const ok of ['root', '0', '1000', '1000:1000', 'app:staff', 'www-data', 'svc.name', 'host$', 'a@b', '_apt']) assert.equal(writeAsProblem(ok), undefined, ok);
  for (const bad of ['', 'a b', 'a:b:c', ':1000', '1000:', '-rf', 'x\n', 'ü', 'u'.repeat(129)]) {
    assert.match(writeAsProblem(bad) ?? '', /^user ".*" is not NAME, UID, NAME:GROUP or UID:GID/, JSON.stringify(bad));
  }
  assert.match(writeAsProblem(42) ?? '', /^user 42 is not/);
  assert.match(writeAsProblem('u'.repeat(200)) ?? '', /^user "u{64}…" /, 'a long value is cut');
});

test('the container\'s files: names looked up, numeric ids need no entry, unknown names in the caller\'s words', () => {
  const files = { passwd: 'root:x:0:0::/root:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n', group: 'root:x:0:\napp:x:1001:\nstaff:x:50:app\n' };
  assert.deepEqual(resolveUserFrom('app', files), { uid: 1001, gid: 1001, additionalGids: [1001, 50] });
  assert.deepEqual(resolveUserFrom('1001', files), { uid: 1001, gid: 1001, additionalGids: [1001, 50] });
  assert.deepEqual(resolveUserFrom('1000', files), { uid: 1000, gid: 0, additionalGids: [0] });
  assert.deepEqual(resolveUserFrom('1000:staff', files), { uid: 1000, gid: 50, additionalGids: [50] });
  assert.deepEqual(resolveUserFrom('app', { passwd: files.passwd, group: null }), { uid: 1001, gid: 1001, additionalGids: [1001] });
  const words = (kind: 'user' | 'group', name: string) => invalid(`${kind} "${name}" not found in the container's /etc/${kind === 'user' ? 'passwd' : 'group'}`);
  assert.throws(() => resolveUserFrom('ghost', files, words), /user "ghost" not found in the container's \/etc\/passwd/);
  assert.throws(() => resolveUserFrom('app:ghosts', files, words), /group "ghosts" not found in the container's \/etc\/group/);
  assert.throws(() => resolveUserFrom('ghost', files), /unable to find user ghost: no matching entries in passwd file/);
});
