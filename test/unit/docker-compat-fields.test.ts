// Pure pieces of Docker compatibility: HOME as runc adds it, inspect's
// HostConfig fields read from an OCI spec, and an event as Docker's templates
// see it (Go field names) while its JSON keeps Docker's JSON names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withHome } from '../../helper/runtime/user';
import { etcPaths, specHostConfig } from '../../helper/cli/docker-host-config';
import { dockerEvent, templateView } from '../../helper/cli/events-command';
import { parseTemplate } from '../../helper/lib/go-template';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nodd:x:7:7::\n';

test('withHome: the uid\'s home from passwd, "/" without an entry (or an empty home, or no passwd); a HOME given stays', () => {
  assert.deepEqual(withHome(['PATH=/bin'], 0, PASSWD), ['PATH=/bin', 'HOME=/root']);
  assert.deepEqual(withHome([], 65534, PASSWD), ['HOME=/nonexistent']);
  assert.deepEqual(withHome([], 4242, PASSWD), ['HOME=/']);
  assert.deepEqual(withHome([], 7, PASSWD), ['HOME=/']);
  assert.deepEqual(withHome([], 0, null), ['HOME=/']);
  assert.deepEqual(withHome(['HOME=/x', 'A=1'], 0, PASSWD), ['HOME=/x', 'A=1']);
});

test('specHostConfig: namespace modes, /dev/shm\'s size, the user\'s ulimits (not the runtime\'s nofile 1024)', () => {
  const spec = {
    process: { rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }, { type: 'RLIMIT_NPROC', soft: 10, hard: 20 }] },
    mounts: [{ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'size=131072k'] }],
    linux: { namespaces: [{ type: 'mount' }, { type: 'ipc' }, { type: 'uts', path: '/proc/9/ns/uts' }, { type: 'cgroup' }] },
  };
  const h = specHostConfig(spec);
  assert.deepEqual([h.IpcMode, h.PidMode, h.UTSMode, h.CgroupnsMode, h.ShmSize], ['private', 'host', 'container:/proc/9/ns/uts', 'private', 128 << 20]);
  assert.deepEqual(h.Ulimits, [{ Name: 'nproc', Hard: 20, Soft: 10 }]);
  const bare = specHostConfig(undefined);
  assert.deepEqual([bare.IpcMode, bare.ShmSize, bare.Ulimits, bare.MaskedPaths], ['host', 64 << 20, [], []]);
  assert.deepEqual(specHostConfig({ process: { rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }] } }).Ulimits, [{ Name: 'nofile', Hard: 2048, Soft: 1024 }]);
});

test('etcPaths: the files bound over /etc/hosts, resolv.conf and hostname, else the init layer\'s', () => {
  const bound = { mounts: [{ destination: '/etc/hosts', type: 'bind', source: '/c/hosts' }] };
  assert.deepEqual(etcPaths(bound, '/run/init'), { ResolvConfPath: '/run/init/etc/resolv.conf', HostnamePath: '/run/init/etc/hostname', HostsPath: '/c/hosts' });
  assert.deepEqual(etcPaths({}, undefined), { ResolvConfPath: '', HostnamePath: '', HostsPath: '' });
});

test('templateView: {{.Status}} {{.ID}} {{.From}} {{.Time}} as Docker\'s Go struct; {{json .}} as Docker\'s JSON', () => {
  const e = dockerEvent({ type: 'container.exited', id: 'a'.repeat(64), name: 'web', exitCode: 3, time: '2024-05-01T10:00:00.000Z' } as never, { image: 'host' })!;
  const run = (t: string) => parseTemplate(t).execute(templateView(e));
  assert.equal(run('{{.Status}} {{.From}} {{.Scope}} {{.Time}} {{len .ID}} {{.Action}}'), 'die host local 1714557600 64 die');
  const json = JSON.parse(run('{{json .}}'));
  assert.equal(json.status, 'die');
  assert.equal(json.timeNano, 1714557600000000000);
  assert.ok(!('Status' in json));
  const net = dockerEvent({ type: 'network.created', id: 'n1', name: 'net', time: '2024-05-01T10:00:00.000Z' } as never)!;
  assert.equal(parseTemplate('[{{.Status}}][{{.ID}}]').execute(templateView(net)), '[][]');
});

test('image inspect: Config\'s omitempty fields read by a template as Go zero values, left out of its JSON; a SHELL shows', async () => {
  const { dockerImage } = await import('../../helper/cli/docker-inspect');
  const base = { id: 'sha256:' + 'a'.repeat(64), name: 'x:1', digest: 'sha256:' + 'b'.repeat(64), size: 1, created: '2026-01-01T00:00:00Z', manifest: {}, layers: [] };
  const plain = dockerImage({ ...base, config: { config: { Cmd: ['sh'] } } } as never);
  const t = (src: string, v: unknown) => parseTemplate(src).execute(v);
  assert.equal(t('{{json .Config.Shell}} {{json .Config.Healthcheck}} {{.Config.ArgsEscaped}}', plain), 'null null false');
  assert.ok(!('Shell' in JSON.parse(JSON.stringify(plain.Config))), 'not in the JSON');
  const shell = dockerImage({ ...base, config: { config: { Cmd: ['sh'], Shell: ['/bin/bash', '-c'] } } } as never);
  assert.equal(t('{{json .Config.Shell}}', shell), '["/bin/bash","-c"]');
  assert.deepEqual(JSON.parse(JSON.stringify(shell.Config)).Shell, ['/bin/bash', '-c']);
});
