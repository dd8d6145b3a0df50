// What the process inside sees, side by side with what `docker run` gives it
// (each expectation was taken from a real dockerd 20.10 with Docker's 28 CLI):
// the supplementary groups of -u/--group-add (the primary gid among them),
// -i with -a (stdin attached whatever -a names), --ipc shareable/none,
// --read-only's /etc/hosts, resolv.conf and hostname, and --network host's
// copies of the host's /etc/hosts and resolv.conf, --add-host and --dns there.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';
import { assertRefused } from '../helpers/refused';

let d: TestDaemon;
before(async () => { d = await startWithImage('run-docker-parity'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const ok = async (args: string[], input?: string) => {
  const r = await d.cli(args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

/** The `Groups:` of /proc/self/status in a container run with `flags`, as numbers in the kernel's (sorted) order. */
async function groups(flags: string[]): Promise<string> {
  const out = await ok(['run', '--rm', ...flags, 'host', 'grep', '^Groups:', '/proc/self/status']);
  return out.replace(/^Groups:\s*/, '').trim();
}

test('-u and --group-add: the primary gid is a supplementary group too, as with Docker (`id` shows groups=GID)', async () => {
  // no user: root's gid from the image's passwd
  assert.equal(await groups([]), '0');
  assert.equal(await groups(['-u', '1000:2000']), '2000');
  // a uid without a passwd entry: gid 0
  assert.equal(await groups(['-u', '4242']), '0');
  assert.equal(await groups(['-u', 'nobody']), '65534');
  // an explicit group: that group alone
  assert.equal(await groups(['-u', 'nobody:root']), '0');
  assert.equal(await groups(['-u', '1000:2000', '--group-add', '3000', '--group-add', 'nogroup']), '2000 3000 65534');
  // exec -u resolves the same way
  await ok(['run', '-d', '--name', 'grp', 'host', 'sleep', '60']);
  assert.match(await ok(['exec', 'grp', 'grep', '^Groups:', '/proc/self/status']), /^Groups:\s+0\s*$/);
  assert.match(await ok(['exec', '-u', '1000:2000', 'grp', 'grep', '^Groups:', '/proc/self/status']), /^Groups:\s+2000\s*$/);
  await ok(['rm', '-f', 'grp']);
});

test('-i with -a: this terminal\'s stdin goes in whatever -a names; only the streams named come out', async () => {
  let r = await d.cli(['run', '--rm', '-i', '-a', 'stdout', 'host', 'sh', '-c', 'cat; echo err >&2; exit 3'], { input: 'hello\n', timeoutMs: 20000 });
  assert.deepEqual([r.code, r.stdout, r.stderr], [3, 'hello\n', '']);
  r = await d.cli(['run', '--rm', '-i', '-a', 'stderr', 'host', 'sh', '-c', 'cat; echo err >&2'], { input: 'hello\n', timeoutMs: 20000 });
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', 'err\n']);
  r = await d.cli(['run', '--rm', '-i', '-a', 'stdin', 'host', 'sh', '-c', 'cat; echo err >&2'], { input: 'hello\n', timeoutMs: 20000 });
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
});

test('--ipc shareable is a private namespace with /dev/shm; --ipc none one without it', async () => {
  const hostIpc = String(fs.statSync('/proc/self/ns/ipc').ino);
  const shareable = await ok(['run', '--rm', '--ipc', 'shareable', 'host', 'sh', '-c', 'stat -L -c %i /proc/self/ns/ipc; grep -c " /dev/shm " /proc/self/mountinfo']);
  const [ns, shm] = shareable.trim().split('\n');
  assert.notEqual(ns, hostIpc);
  assert.equal(shm, '1');
  const none = await d.cli(['run', '--rm', '--ipc', 'none', 'host', 'sh', '-c', 'stat -L -c %i /proc/self/ns/ipc; grep -c " /dev/shm " /proc/self/mountinfo; ls /dev/shm']);
  const [ns2, shm2] = none.stdout.trim().split('\n');
  assert.notEqual(ns2, hostIpc);
  assert.equal(shm2, '0');
  assert.match(none.stderr, /\/dev\/shm'?: No such file or directory/);
  await ok(['create', '--name', 'noshm', '--ipc', 'none', 'host', 'true']);
  assert.equal(await ok(['inspect', '-f', '{{.HostConfig.IpcMode}}', 'noshm']), 'none\n');
  await ok(['rm', 'noshm']);
  await assertRefused(d, ['run', '--rm', '--ipc', 'bogus', 'host', 'true'], /--ipc: "bogus" is not one of private, host, shareable, none/);
});

test('--read-only: /etc/hosts, /etc/resolv.conf and /etc/hostname are read-only too', async () => {
  const r = await d.cli(['run', '--rm', '--read-only', 'host', 'sh', '-c', 'for f in hosts resolv.conf hostname; do (echo x >> /etc/$f) 2>/dev/null && echo "$f written"; done; grep -c " /etc/[a-z.]* ro," /proc/self/mountinfo']);
  assert.deepEqual([r.code, r.stdout], [0, '3\n'], r.stderr);
  // without it they stay writable, as Docker's
  assert.equal(await ok(['run', '--rm', 'host', 'sh', '-c', 'echo "1.2.3.4 x" >> /etc/hosts && grep -c "^1.2.3.4 x$" /etc/hosts']), '1\n');
});

test('--network host: the host\'s /etc/hosts and resolv.conf; --add-host and --dns make the container\'s own', async () => {
  const plain = await ok(['run', '--rm', '--network', 'host', 'host', 'sh', '-c', 'cat /etc/hosts; echo ---; cat /etc/resolv.conf']);
  assert.equal(plain, `${fs.readFileSync('/etc/hosts', 'utf8')}---\n${fs.readFileSync('/etc/resolv.conf', 'utf8')}`);
  const own = await ok(['run', '--rm', '--network', 'host', '--add-host', 'db:10.1.2.3', '--dns', '9.9.9.9', '--dns-search', 'example.org', 'host', 'sh', '-c', 'cat /etc/hosts; echo ---; cat /etc/resolv.conf']);
  const [hosts, resolv] = own.split('---\n');
  // Docker's localhost lines and the --add-host line; no line for the container: it has no address of its own
  assert.match(hosts, /^127\.0\.0\.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n/);
  assert.match(hosts, /\n10\.1\.2\.3\tdb\n$/);
  assert.equal(resolv, 'search example.org\nnameserver 9.9.9.9\n');
  // the host's own files are not touched
  assert.doesNotMatch(fs.readFileSync('/etc/hosts', 'utf8'), /10\.1\.2\.3/);
  // a joined container's files are the other's: still refused there, in Docker's words
  await ok(['run', '-d', '--name', 'netowner', 'host', 'sleep', '60']);
  await assertRefused(d, ['run', '--rm', '--network', 'container:netowner', '--add-host', 'db:10.1.2.3', 'host', 'true'], /conflicting options: custom host-to-IP mapping and the network mode/);
  await ok(['rm', '-f', 'netowner']);
});
