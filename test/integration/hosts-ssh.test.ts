// Several hosts (issue 14): the CLI talking to a helper over ssh — a real
// OpenSSH server on 127.0.0.1 started here, `ssh … nscope dial-stdio` per
// connection — with --host, NSCOPE_HOST and contexts; run, exec, logs, cp,
// image import and build (streams) through it; and the errors a user meets (an unreachable host, a
// bad URL, an unknown context).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseHost } from '../../helper/protocol/host';
import { REPO, startWithImage, type TestDaemon } from '../helpers/daemon';
import { sshdUnavailable, startSshd, type TestSshd } from '../helpers/sshd';

const skip = sshdUnavailable();

test('host URLs: unix, ssh with user, port and socket; refusals', () => {
  assert.deepEqual(parseHost('unix:///run/x.sock'), { kind: 'unix', path: '/run/x.sock' });
  assert.deepEqual(parseHost('/run/x.sock'), { kind: 'unix', path: '/run/x.sock' });
  assert.deepEqual(parseHost('ssh://me@box:2222/run/n.sock'), { kind: 'ssh', host: 'box', user: 'me', port: 2222, socket: '/run/n.sock' });
  assert.deepEqual(parseHost('ssh://box'), { kind: 'ssh', host: 'box', user: undefined, port: undefined, socket: undefined });
  assert.throws(() => parseHost('ftp://box'), /unsupported scheme ftp/);
  assert.throws(() => parseHost('ssh://me:pw@box'), /password/);
  assert.throws(() => parseHost('box'), /not a host URL/);
});

describe('nscope over ssh', { skip }, () => {
  let d: TestDaemon;
  let sshd: TestSshd;
  let env: NodeJS.ProcessEnv;
  let url: string;
  let work: string;
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => d.cli(args, { env: { ...env, ...extra } });

  before(async () => {
    d = await startWithImage('hosts');
    sshd = await startSshd();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-hosts-'));
    env = { ...process.env, NSCOPE_SSH_OPTS: `-F ${sshd.clientConfig}`, NSCOPE_REMOTE_COMMAND: path.join(REPO, 'bin', 'nscope'), NSCOPE_CONFIG: path.join(work, 'config') };
    url = `ssh://root@127.0.0.1:${sshd.port}${d.socket}`;
  });

  after(async () => {
    await sshd?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    assert.deepEqual(d ? await d.cleanup() : [], []);
  });

  // d.cli passes --socket: these go through runCommand without it
  const remote = async (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const { runCommand } = await import('../helpers/command');
    return runCommand(process.execPath, [path.join(REPO, 'bin', 'nscope'), ...args], { env: { ...env, ...extra } });
  };

  test('--host ssh://…: run, ps, logs, exec and cp through the remote helper', async () => {
    const run = await remote(['--host', url, 'run', '--rm', '--network', 'none', 'host', 'echo', 'over ssh']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'over ssh\n');
    const bg = await remote(['--host', url, 'run', '-d', '--name', 'far', '--network', 'none', 'host', 'sh', '-c', 'echo started; sleep 600']);
    assert.equal(bg.code, 0, bg.stderr);
    assert.match((await remote(['--host', url, 'ps'])).stdout, /far/);
    assert.match((await remote(['--host', url, 'logs', 'far'])).stdout, /started/);
    const ex = await remote(['--host', url, 'exec', 'far', 'cat', '/etc/hostname']);
    assert.equal(ex.code, 0, ex.stderr);
    fs.writeFileSync(path.join(work, 'f.txt'), 'copied over ssh');
    const cp = await remote(['--host', url, 'cp', path.join(work, 'f.txt'), 'far:/tmp/']);
    assert.equal(cp.code, 0, cp.stderr);
    assert.equal((await cli(['exec', 'far', 'cat', '/tmp/f.txt'])).stdout, 'copied over ssh');
  });

  test('image import over ssh sends the archive, not its path: a file only this side can see is imported there', async () => {
    const tar = path.join(work, 'host.tar');
    assert.equal((await cli(['image', 'export', 'host', tar])).code, 0);
    // the archive on a tmpfs in a mount namespace of the CLI's own: the helper (same machine, outside it)
    // sees an empty directory at that path, as a remote helper would see nothing
    const hidden = path.join(work, 'only-here');
    fs.mkdirSync(hidden);
    const { runCommand } = await import('../helpers/command');
    const script = 'mount -t tmpfs tmpfs "$1" && cp "$2" "$1/" && shift 2 && exec "$@"';
    const imp = await runCommand('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', hidden, tar,
      process.execPath, path.join(REPO, 'bin', 'nscope'), '--host', url, 'image', 'import', '--name', 'sent:over-ssh', path.join(hidden, 'host.tar')], { env });
    assert.equal(imp.code, 0, imp.stderr);
    assert.match(imp.stdout, /^Loaded image: sent:over-ssh \(/);
    assert.deepEqual(fs.readdirSync(hidden), [], 'the helper\'s side never had the file');
    assert.ok((await (await d.client()).request('image.list', {})).some((i) => i.name === 'sent:over-ssh'));
    assert.equal((await cli(['image', 'rm', 'sent:over-ssh'])).code, 0);
  });

  test('nscope build over ssh: the context goes over the connection, RUN and COPY run on the remote helper', async () => {
    const ctx = path.join(work, 'build-ctx');
    fs.mkdirSync(ctx);
    fs.writeFileSync(path.join(ctx, 'msg.txt'), 'copied from the client\n');
    fs.writeFileSync(path.join(ctx, 'Containerfile'), 'FROM host\nCOPY msg.txt /msg.txt\nRUN echo ran-remotely >> /msg.txt\nCMD ["cat", "/msg.txt"]\n');
    const b = await remote(['--host', url, 'build', '-t', 'far-built:1', ctx], { XDG_CACHE_HOME: path.join(work, 'cache') });
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.match(b.stdout, /Successfully tagged far-built:1/);
    const r = await cli(['run', '--rm', '--network', 'none', 'far-built:1']);
    assert.equal(r.stdout, 'copied from the client\nran-remotely\n', r.stderr);
  });

  test('NSCOPE_HOST, and contexts: create, ls, use, inspect, rm', async () => {
    assert.match((await remote(['ps'], { NSCOPE_HOST: url })).stdout, /far/);
    const created = await remote(['context', 'create', 'lab', '--host', url, '--description', 'the test helper']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(fs.statSync(path.join(work, 'config', 'contexts.json')).mode & 0o777, 0o600);
    assert.match((await remote(['--context', 'lab', 'ps'])).stdout, /far/);
    assert.equal((await remote(['context', 'use', 'lab'])).code, 0);
    const ls = await remote(['context', 'ls']);
    assert.match(ls.stdout, /^lab \*\s+the test helper\s+ssh:\/\//m);
    assert.match((await remote(['ps'])).stdout, /far/, 'the current context is used');
    assert.equal(JSON.parse((await remote(['context', 'inspect'])).stdout)[0].host, url);
    assert.equal((await remote(['context', 'use', 'default'])).code, 0);
    assert.equal((await remote(['context', 'rm', 'lab'])).code, 0);
    const gone = await remote(['--context', 'lab', 'ps']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /context "lab" not found/);
  });

  test('errors in one line: an unreachable host, a bad URL, a remote without the helper', async () => {
    const down = await remote(['--host', 'ssh://root@127.0.0.1:1', 'ps']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^nscope: ssh: connect to host 127\.0\.0\.1 port 1: Connection refused/);
    assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr);
    const bad = await remote(['--host', 'http://x', 'ps']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unsupported scheme http/);
    const noHelper = await remote(['--host', `ssh://root@127.0.0.1:${sshd.port}/nonexistent.sock`, 'ps']);
    assert.equal(noHelper.code, 1);
    assert.match(noHelper.stderr, /cannot connect to the nscope helper at \/nonexistent\.sock/);
  });
});
