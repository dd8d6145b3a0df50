// The editor's changes made as a user of the container (issue 14: `user` on
// file-write and file.mkdir/delete/rename): the files worker becomes that
// user after its chroot, so the kernel checks every step as it would for the
// user's own process in the container. A file it may not write is refused
// and left as it was; what it makes is its own; a file of another owner it
// may write (its group's) keeps owner and mode; root is as before; names come
// from the container's own /etc/passwd and /etc/group.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HelperError, openStream, type HelperClient } from '../../helper/protocol/client';
import type { CopyInDone } from '../../helper/protocol/types';
import { startWithImage, type TestDaemon } from '../helpers/daemon';
import { fileWrite } from '../helpers/file-write';

describe('file edits as a user of the container', () => {
  let d: TestDaemon;
  let c: HelperClient;
  const sh = async (script: string, id = 'wu') => {
    const r = await d.cli(['exec', id, 'sh', '-c', script]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  /** A save of `content` as `user` (with its size announced unless `size` is null). */
  const write = (p: string, content: string, user?: string, o: { id?: string; size?: number | null } = {}): Promise<CopyInDone> =>
    fileWrite(d.socket, { id: o.id ?? 'wu', path: p, create: true, overwrite: true, user, ...(o.size === null ? {} : { size: o.size ?? Buffer.byteLength(content) }) }, content);
  const error = (r: CopyInDone) => ('error' in r ? r.error : '(written)');
  const refusal = async (p: Promise<unknown>): Promise<string> => {
    try { await p; } catch (e) { assert.ok(e instanceof HelperError, String(e)); return e.message; }
    assert.fail('not refused');
  };

  before(async () => {
    d = await startWithImage('fuser');
    c = await d.client();
    const r = await d.cli(['run', '-d', '--name', 'wu', '--network', 'none', 'host', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    // app (1001) is in the group staff (50) through /etc/group; 1000 is in no file
    await sh([
      'echo "app:x:1001:1001::/tmp:/bin/sh" >> /etc/passwd',
      'echo "app:x:1001:" >> /etc/group && echo "staff:x:50:app" >> /etc/group',
      'echo Welcome > /etc/motd && chmod 644 /etc/motd',
      'echo secret > /etc/shadow && chmod 640 /etc/shadow',
      'mkdir /srv && echo shared > /srv/shared.txt && chown 0:50 /srv/shared.txt && chmod 664 /srv/shared.txt',
      'echo team > /tmp/team.txt && chown 0:50 /tmp/team.txt && chmod 664 /tmp/team.txt',
    ].join(' && '));
  });

  after(async () => {
    c?.close();
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  test('as uid 1000: a root-owned 0644 file and /etc/shadow are refused and unchanged; a new file in a 1777 dir is its own', async () => {
    assert.equal(error(await write('/etc/motd', 'defaced\n', '1000')), 'permission denied: /etc/motd');
    assert.equal(error(await write('/etc/shadow', 'x\n', '1000')), 'permission denied: /etc/shadow');
    assert.equal(await sh('cat /etc/motd /etc/shadow; stat -c "%u:%g %a" /etc/motd /etc/shadow'), 'Welcome\nsecret\n0:0 644\n0:0 640\n');
    // a uid in no passwd entry has the group 0, as with `docker exec -u 1000`
    assert.deepEqual(await write('/tmp/mine.txt', 'mine\n', '1000'), { ok: true });
    assert.equal(await sh('cat /tmp/mine.txt; stat -c "%u:%g %a" /tmp/mine.txt'), 'mine\n1000:0 644\n');
    // its own file saved again (atomically: a new inode), still its own
    const before = await sh('stat -c %i /tmp/mine.txt');
    assert.deepEqual(await write('/tmp/mine.txt', 'mine again\n', '1000'), { ok: true });
    assert.equal(await sh('cat /tmp/mine.txt; stat -c "%u:%g %a" /tmp/mine.txt'), 'mine again\n1000:0 644\n');
    assert.notEqual(await sh('stat -c %i /tmp/mine.txt'), before);
    assert.deepEqual(await write('/tmp/grouped.txt', 'g\n', '1000:1000'), { ok: true });
    assert.equal(await sh('stat -c "%u:%g" /tmp/grouped.txt'), '1000:1000\n');
    assert.doesNotMatch(await sh('ls -a /etc /tmp'), /nscope-/);
  });

  test('as root (by name or uid 0): as before, whatever the file\'s mode', async () => {
    assert.deepEqual(await write('/etc/shadow', 'by root\n', 'root'), { ok: true });
    assert.equal(await sh('cat /etc/shadow; stat -c "%u:%g %a" /etc/shadow'), 'by root\n0:0 640\n');
    assert.deepEqual(await write('/root/new.txt', 'fresh', '0'), { ok: true });
    assert.equal(await sh('stat -c "%u:%g %a" /root/new.txt'), '0:0 644\n');
  });

  test('a group-writable file of root:staff written by a member of staff keeps its owner and mode', async () => {
    // in /tmp the user can make the temp file: the complete content is copied into the file
    const inode = await sh('stat -c %i /tmp/team.txt');
    assert.deepEqual(await write('/tmp/team.txt', 'team edit\n', 'app'), { ok: true });
    assert.equal(await sh('cat /tmp/team.txt; stat -c "%u:%g %a %i" /tmp/team.txt'), `team edit\n0:50 664 ${inode.trim()}\n`);
    // in /srv (root's, 0755) it cannot: held until all of it came, then written in place
    assert.deepEqual(await write('/srv/shared.txt', 'shared edit\n', 'app'), { ok: true });
    assert.equal(await sh('cat /srv/shared.txt; stat -c "%u:%g %a" /srv/shared.txt'), 'shared edit\n0:50 664\n');
    // which needs the size announced; without, nothing is written
    assert.match(error(await write('/srv/shared.txt', 'unsized\n', 'app', { size: null })), /size announced/);
    // an upload cut short leaves it as it was
    assert.match(error(await write('/srv/shared.txt', 'cut', 'app', { size: 100 })), /ended after 3 of 100 bytes/);
    assert.equal(await sh('cat /srv/shared.txt'), 'shared edit\n');
    // not in staff: refused
    assert.equal(error(await write('/srv/shared.txt', 'x', '1000')), 'permission denied: /srv/shared.txt');
    // and a new file where the user may not make one
    assert.equal(error(await write('/srv/new.txt', 'x', 'app')), 'permission denied: /srv/new.txt');
    assert.doesNotMatch(await sh('ls -a /srv /tmp'), /nscope-/);
  });

  test('an unknown user or group is refused by name; a malformed user before anything starts', async () => {
    assert.equal(error(await write('/tmp/x', 'x', 'ghost')), 'user "ghost" not found in the container\'s /etc/passwd');
    assert.equal(error(await write('/tmp/x', 'x', 'app:ghosts')), 'group "ghosts" not found in the container\'s /etc/group');
    assert.equal(await refusal(c.request('file.mkdir', { container: 'wu', path: '/tmp/g', user: 'ghost' })), 'user "ghost" not found in the container\'s /etc/passwd');
    assert.match(await refusal(openStream(d.socket, { kind: 'file-write', id: 'wu', path: '/tmp/x', user: 'a b' })), /file-write: user "a b" is not NAME, UID, NAME:GROUP or UID:GID/);
    assert.match(await refusal(c.request('file.delete', { container: 'wu', path: '/tmp/x', user: 'u'.repeat(200) })), /file\.delete: user "u+…" .*at most 128 characters/);
    assert.match(await refusal(c.request('file.rename', { container: 'wu', path: '/tmp/x', to: '/tmp/y', user: 42 as unknown as string })), /file\.rename: user 42 is not/);
    assert.equal(await sh('ls /tmp/x /tmp/g 2>&1 || true'), 'ls: cannot access \'/tmp/x\': No such file or directory\nls: cannot access \'/tmp/g\': No such file or directory\n');
  });

  test('mkdir, rename and delete as a user obey its permissions', async () => {
    assert.equal(await refusal(c.request('file.mkdir', { container: 'wu', path: '/root/x', user: '1000' })), 'permission denied: /root/x');
    await c.request('file.mkdir', { container: 'wu', path: '/tmp/d1000', user: '1000' });
    assert.equal(await sh('stat -c "%F %u:%g" /tmp/d1000'), 'directory 1000:0\n');
    assert.match(await refusal(c.request('file.rename', { container: 'wu', path: '/etc/motd', to: '/tmp/motd', user: '1000' })), /permission denied/);
    await c.request('file.rename', { container: 'wu', path: '/tmp/mine.txt', to: '/tmp/d1000/mine.txt', user: '1000' });
    assert.match(await refusal(c.request('file.delete', { container: 'wu', path: '/etc/motd', user: '1000' })), /permission denied: \/etc\/motd/);
    // /tmp is sticky: root's file there is not app's to remove
    assert.match(await refusal(c.request('file.delete', { container: 'wu', path: '/tmp/team.txt', user: 'app' })), /permission denied: \/tmp\/team.txt/);
    await c.request('file.delete', { container: 'wu', path: '/tmp/d1000', recursive: true, user: '1000' });
    assert.equal(await sh('ls /etc/motd /tmp/team.txt; ls /tmp'), '/etc/motd\n/tmp/team.txt\ngrouped.txt\nteam.txt\n');
  });

  test('a stopped container is written as the user in its rw layer; inspect says whom it runs as', async () => {
    const r = await d.cli(['run', '--name', 'off', '--network', 'none', '-u', '1000', 'host', 'true']);
    assert.equal(r.code, 0, r.stderr);
    // what the extension offers as "the container's user"
    assert.equal((await c.request('container.inspect', { id: 'off' })).user, '1000');
    assert.equal((await c.request('container.inspect', { id: 'wu' })).user, undefined);
    assert.deepEqual(await write('/tmp/later.txt', 'later\n', '1000', { id: 'off' }), { ok: true });
    assert.equal(error(await write('/etc/passwd', 'x', '1000', { id: 'off' })), 'permission denied: /etc/passwd');
    const st = await c.request('file.stat', { container: 'off', view: 'container', path: '/tmp/later.txt' });
    assert.deepEqual([st.uid, st.gid, st.mode], [1000, 0, 0o644]);
    assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes('/copy-'), 'no copy root left mounted');
    assert.equal((await d.cli(['rm', '-f', 'off'])).code, 0);
  });

  test('--userns=auto: the user\'s ids are mapped to the host\'s', async () => {
    const r = await d.cli(['run', '-d', '--name', 'mapped', '--userns=auto', '--network', 'none', 'host', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await write('/tmp/u.txt', 'mapped\n', '1000', { id: 'mapped' }), { ok: true });
    assert.equal(await sh('stat -c "%u:%g" /tmp/u.txt', 'mapped'), '1000:0\n');
    const info = await c.request('container.inspect', { id: 'mapped' });
    const base = info.security!.userns!.uidMap[0].hostID;
    assert.equal(fs.statSync(path.join(info.rootfs.upper, 'tmp', 'u.txt')).uid, base + 1000);
    assert.equal(error(await write('/etc/passwd', 'x', '1000', { id: 'mapped' })), 'permission denied: /etc/passwd');
    assert.equal((await d.cli(['rm', '-f', 'mapped'])).code, 0);
  });
});
