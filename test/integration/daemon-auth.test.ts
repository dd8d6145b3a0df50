// The socket checks its peer: root and the nscope group only.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
before(async () => { d = new TestDaemon('auth'); await d.start(); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

function asNobody(socket: string, groups?: number[], method = 'container.list', params: object = {}): Promise<string> {
  const script = `
    const net = require('net');
    const s = net.connect(${JSON.stringify(socket)});
    let out = '';
    s.on('connect', () => s.write(JSON.stringify({jsonrpc:'2.0',id:1,method:${JSON.stringify(method)},params:${JSON.stringify(params)}}) + '\\n'));
    s.on('data', (d) => { out += d; if (out.includes('\\n')) { process.stdout.write(out); process.exit(0); } });
    s.on('close', () => { process.stdout.write(out); });
    s.on('error', (e) => { process.stdout.write('ERR ' + e.code); });`;
  return new Promise((resolve) => {
    // node's spawn has no supplementary groups: setpriv sets them before the switch to nobody
    const p = groups
      ? spawn('setpriv', ['--reuid=65534', '--regid=65534', `--groups=${groups.join(',')}`, process.execPath, '-e', script], { cwd: '/' })
      : spawn(process.execPath, ['-e', script], { uid: 65534, gid: 65534, cwd: '/' });
    let out = '';
    p.stdout.on('data', (x) => { out += x; });
    p.on('close', () => resolve(out));
  });
}

test('the socket file is 0600 when the group does not exist (0660 root:nscope when it does)', () => {
  const st = fs.statSync(d.socket);
  const hasGroup = fs.readFileSync('/etc/group', 'utf8').split('\n').some((l) => l.startsWith('nscope:'));
  assert.equal(st.mode & 0o777, hasGroup ? 0o660 : 0o600);
  assert.equal(st.uid, 0);
});

test('a non-root, non-group peer gets a JSON-RPC error naming the reason, and is disconnected', async () => {
  // open the file mode so the connection reaches the helper's own check
  fs.chmodSync(path.dirname(d.socket), 0o755);
  fs.chmodSync(d.socket, 0o666);
  try {
    const out = await asNobody(d.socket);
    const msg = JSON.parse(out.trim().split('\n')[0]);
    assert.equal(msg.jsonrpc, '2.0');
    assert.equal(msg.id, null);
    assert.match(msg.error.message, /permission denied: uid 65534/);
    assert.equal(msg.error.data.kind, 'forbidden');
    assert.equal(out.trim().split('\n').length, 1, 'no answer to the request itself');
  } finally {
    fs.chmodSync(d.socket, 0o600);
  }
});

test('with the file mode closed, such a peer cannot even connect', async () => {
  fs.chmodSync(d.socket, 0o600);
  assert.equal(await asNobody(d.socket), 'ERR EACCES');
});

test('root is allowed; system.info reports the peer', async () => {
  const c = await d.client();
  const info = await c.request('system.info', {});
  assert.equal(info.peer.uid, 0);
  assert.equal(info.pid, d.proc!.pid);
  assert.ok(fs.existsSync(path.join(REPO, 'build', 'Release', 'nscope-shim')));
});

test('an error quoting what the client sent is bounded: a 300 KB id comes back as some 16 KB, not the whole of it', async () => {
  const c = await d.client();
  const id = 'a'.repeat(300_000);
  const err = await c.request('container.inspect', { id }).then(() => undefined, (e: Error) => e);
  assert.ok(err, 'refused');
  assert.match(err.message, /^No such container: a+… \(\d+ more characters\)$/);
  assert.ok(err.message.length < 17_000, `${err.message.length} characters`);
  // and the connection still serves
  assert.equal((await c.request('system.info', {})).peer.uid, 0);
});

test('a member of the helper\'s group is allowed; the socket is 0660 root:GROUP', async () => {
  const group = `nscope-t${process.pid}`;
  execFileSync('groupadd', [group]);
  const g = new TestDaemon('authgroup');
  try {
    const gid = Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
    g.extraArgs = ['--group', group];
    await g.start();
    const st = fs.statSync(g.socket);
    assert.equal(st.mode & 0o777, 0o660);
    assert.equal(st.gid, gid);
    fs.chmodSync(g.dir, 0o755);
    const ok = await asNobody(g.socket, [gid]);
    const msg = JSON.parse(ok.trim().split('\n')[0]);
    assert.deepEqual(msg.result, []);
    const refused = await asNobody(g.socket, [65533]);
    assert.equal(refused, 'ERR EACCES', 'the file mode already keeps non-members out');

    // image.import reads a file as root for the member: only one the member could read itself
    const home = path.join(g.dir, 'home');
    fs.mkdirSync(home, { mode: 0o700 });
    fs.writeFileSync(path.join(home, 'readable.tar'), 'x', { mode: 0o644 });
    fs.writeFileSync(path.join(g.dir, 'secret.tar'), 'x', { mode: 0o600 });
    fs.symlinkSync(path.join(home, 'readable.tar'), path.join(g.dir, 'link.tar'));
    const importAs = async (file: string) => JSON.parse((await asNobody(g.socket, [gid], 'image.import', { file })).trim().split('\n')[0]);
    for (const file of [path.join(g.dir, 'secret.tar'), path.join(home, 'readable.tar'), path.join(g.dir, 'link.tar')]) {
      const msg = await importAs(file);
      assert.match(msg.error?.message ?? '', /permission denied: uid 65534 cannot read/, file);
      assert.equal(msg.error.data.kind, 'forbidden');
    }
    const devNode = await importAs('/dev/null');
    assert.match(devNode.error.message, /not a regular file/);
  } finally {
    assert.deepEqual(await g.cleanup(), []);
    execFileSync('groupdel', [group]);
  }
});

test('params that are not an object are refused by name before any handler reads them', async () => {
  // raw lines: the typed client would not send these
  const reply = (line: object) => new Promise<{ error?: { message: string; data?: { kind: string } } }>((resolve, reject) => {
    const s = net.connect(d.socket);
    let out = '';
    s.on('connect', () => s.write(JSON.stringify(line) + '\n'));
    s.on('data', (b) => { out += b; if (out.includes('\n')) { s.destroy(); resolve(JSON.parse(out.split('\n')[0])); } });
    s.on('error', reject);
  });
  for (const params of [[1, 2], 'x', 5]) {
    const r = await reply({ jsonrpc: '2.0', id: 1, method: 'container.top', params });
    assert.equal(r.error?.message, 'params must be an object');
    assert.equal(r.error?.data?.kind, 'invalid');
  }
  // null and absent params read as {}: the handler's own "which container?" error, not a TypeError
  for (const line of [{ jsonrpc: '2.0', id: 1, method: 'container.top', params: null }, { jsonrpc: '2.0', id: 1, method: 'container.top' }]) {
    const r = await reply(line);
    assert.doesNotMatch(r.error?.message ?? '', /Cannot read properties/);
    assert.ok(r.error, 'an error');
  }
});

test('JSON that is no request gets -32600 (not silence), nothing of it in the helper\'s log, and the connection goes on', async () => {
  // one connection, several raw lines; each answer is one line, in order
  const s = net.connect(d.socket);
  await new Promise<void>((resolve, reject) => { s.once('connect', () => resolve()); s.once('error', reject); });
  let buf = '';
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  s.on('data', (b) => {
    buf += b;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1); waiters.shift()?.(); }
  });
  const send = async (raw: string) => {
    const got = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no answer to ${raw}`)), 5000);
      waiters.push(() => { clearTimeout(t); resolve(); });
    });
    s.write(raw + '\n');
    await got;
    return JSON.parse(lines.shift()!) as { id: unknown; error?: { code: number; message: string }; result?: unknown };
  };
  const before = d.stderr;
  const secret = 'qac-client-bytes-not-for-the-log';
  for (const raw of ['{}', '5', 'null', '[]', '[null]', '"x"', `{"jsonrpc":"2.0","id":7,"note":"${secret}"}`, `{"jsonrpc":"1.0","id":"a","method":"system.info"}`]) {
    const r = await send(raw);
    assert.equal(r.error?.code, -32600, raw);
    assert.match(r.error!.message, /^Invalid request/, raw);
    assert.equal(r.id, raw.includes('"id":7') ? 7 : raw.includes('"id":"a"') ? 'a' : null, raw);
  }
  // the same connection still serves requests, one and batched
  const ok = await send('{"jsonrpc":"2.0","id":1,"method":"system.info"}');
  assert.ok(ok.result, 'system.info answered');
  const batch = await send('[{"jsonrpc":"2.0","id":2,"method":"system.info"},{"jsonrpc":"2.0","id":3,"method":"no.such"}]') as unknown as Array<{ id: number }>;
  assert.deepEqual(batch.map((x) => x.id).sort(), [2, 3]);
  s.destroy();
  assert.doesNotMatch(d.stderr.slice(before.length), /invalid JSON-RPC|qac-client-bytes/, 'nothing of the client\'s in the log');
  assert.equal(d.proc?.exitCode, null, 'the helper lives');
});
