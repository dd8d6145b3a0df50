// The helper's socket as a hostile (or careless) client sees it: raw JSON-RPC
// lines the typed client would not send, clients that go away mid-stream, never
// read their answers or half-close, and requests that race each other. Each must
// end in one clear answer, never a hang, and leave nothing held in the helper.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startWithImage, type TestDaemon } from '../helpers/daemon';

type Reply = { id?: unknown; result?: { id?: string; [k: string]: unknown }; error?: { code: number; message: string; data?: { kind?: string } } };

let d: TestDaemon;
before(async () => { d = await startWithImage('rpc-hostile'); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

/** One request on its own connection; `end`: half-close after it (`… | socat - UNIX:sock`). */
function call(method: string, params: unknown, opts: { timeoutMs?: number; end?: boolean } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const s = net.connect(d.socket);
    let out = '';
    const t = setTimeout(() => { s.destroy(); reject(new Error(`${method}: no answer in ${opts.timeoutMs ?? 20000} ms`)); }, opts.timeoutMs ?? 20000);
    s.on('connect', () => {
      const line = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) + '\n';
      if (opts.end) s.end(line); else s.write(line);
    });
    s.on('data', (b) => { out += b; const i = out.indexOf('\n'); if (i >= 0) { clearTimeout(t); s.destroy(); resolve(JSON.parse(out.slice(0, i))); } });
    s.on('close', () => { clearTimeout(t); if (!out.includes('\n')) reject(new Error(`${method}: connection closed with no answer`)); });
    s.on('error', (e) => { clearTimeout(t); reject(e); });
  });
}

const daemonFds = (): string[] => fs.readdirSync(`/proc/${d.proc!.pid}/fd`).map((f) => {
  try { return fs.readlinkSync(`/proc/${d.proc!.pid}/fd/${f}`); } catch { return ''; }
});

async function eventually(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !ok();) {
    if (Date.now() > end) assert.fail(what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('rpc: hostile params', () => {
  test('a cpuset number past 2^53 is refused at once (it used to spin the helper forever); lists that add up too', async () => {
    const made = await call('container.create', { image: 'host', cmd: ['true'] });
    for (const method of ['container.create', 'container.update'] as const) {
      const base = method === 'container.create' ? { image: 'host', cmd: ['true'] } : { id: made.result!.id };
      for (const [cpus, why] of [['9999999999999999999999', /is too large a number/], ['9007199254740993', /is too large a number/], [Array(3).fill('0-65000').join(','), /more than 65536 numbers/]] as const) {
        const r = await call(method, { ...base, cpusetCpus: cpus }, { timeoutMs: 10000 });
        assert.equal(r.error?.data?.kind, 'invalid', `${method} ${cpus}: ${JSON.stringify(r)}`);
        assert.match(r.error!.message, why);
        assert.match(r.error!.message, /^--cpuset-cpus: /);
      }
    }
    const mems = await call('container.create', { image: 'host', cmd: ['true'], cpusetMems: '99999999999999999999' }, { timeoutMs: 10000 });
    assert.match(mems.error?.message ?? '', /^--cpuset-mems: .*is too large a number/);
    assert.ok((await call('system.info', {}, { timeoutMs: 5000 })).result, 'the helper still answers');
    assert.ok((await call('container.remove', { id: made.result!.id })).result);
  });

  test('null for an option is the option absent, never "Cannot read properties of null"', async () => {
    const nulls = { pid: null, ipc: null, uts: null, cgroupns: null, userns: null, logDriver: null, cpusetCpus: null, cpusetMems: null, memory: null, hostname: null };
    const r = await call('container.create', { image: 'host', cmd: ['true'], ...nulls });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    const id = r.result!.id!;
    const insp = await call('container.inspect', { id });
    assert.equal(insp.result?.id, id);
    assert.ok((await call('container.remove', { id, force: true })).result);
  });
});

describe('rpc: clients that go away, never read, or half-close', () => {
  let quiet: string;
  before(async () => {
    const r = await d.cli(['run', '-d', 'host', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    quiet = r.stdout.trim();
  });
  after(async () => { await d.cli(['rm', '-f', quiet]); });

  test('logs -f of a quiet container: a follower that goes away frees its log fd and socket at once', async () => {
    const logFds = () => daemonFds().filter((l) => l.includes(quiet) && l.endsWith('container.log')).length;
    const sockets = () => daemonFds().filter((l) => l.startsWith('socket:')).length;
    const before = sockets();
    for (let i = 0; i < 3; i++) {
      const s = net.connect(d.socket);
      await new Promise<void>((resolve, reject) => {
        s.on('connect', () => s.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'stream.open', params: { kind: 'logs', id: quiet, follow: true } }) + '\n'));
        s.once('data', (b) => { assert.match(String(b), /"result"/); resolve(); });
        s.on('error', reject);
      });
      await eventually('the follower opened the log', () => logFds() > 0);
      s.destroy();
    }
    // nothing is written to the log: only the client's going away can end these followers
    await eventually(`followers gone (log fds: ${logFds()})`, () => logFds() === 0);
    await eventually(`sockets back to ${before} (now ${sockets()})`, () => sockets() <= before);
  });

  test('a client that sends and never reads is not read from: its answers do not pile up in the helper', async () => {
    const line = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'image.inspect', params: { ref: 'host' } }) + '\n';
    const burst = line.repeat(150_000); // ~10 MB asking for some 300 MB of answers
    const s = net.connect(d.socket);
    await new Promise<void>((resolve, reject) => { s.once('connect', () => resolve()); s.once('error', reject); });
    s.pause();
    s.write(burst);
    await new Promise((r) => setTimeout(r, 4000));
    // the helper stopped taking the requests: most of them still wait on the client's side
    assert.ok(s.writableLength > burst.length / 2, `the helper read ${burst.length - s.writableLength} of ${burst.length} bytes without its answers being read`);
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${d.proc!.pid}/status`, 'utf8'))![1]);
    assert.ok(rssKb < 400 * 1024, `helper RSS ${rssKb} kB`);
    // and others are served meanwhile
    assert.ok((await call('system.info', {}, { timeoutMs: 5000 })).result);
    s.destroy();
  });

  test('a client that half-closes after its request still gets the answer, however long it takes', async () => {
    const r = await d.cli(['run', '-d', 'host', 'sleep', '1']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const w = await call('container.wait', { id }, { end: true });
    assert.equal(w.error, undefined, JSON.stringify(w.error));
    assert.equal((w.result as { exitCode?: number }).exitCode, 0);
    await d.cli(['rm', '-f', id]);
  });
});

describe('rpc: races', () => {
  test('starts of one container at once all succeed (one starts it), as Docker\'s', async () => {
    const c = await call('container.create', { image: 'host', cmd: ['sleep', '600'] });
    const id = c.result!.id!;
    const rs = await Promise.all(Array.from({ length: 4 }, () => call('container.start', { id })));
    for (const r of rs) assert.equal(r.error, undefined, JSON.stringify(r.error));
    const top = await call('container.top', { id });
    assert.equal((top.result as unknown as unknown[]).length, 1, 'one init');
    assert.ok((await call('container.remove', { id, force: true })).result);
  });

  test('rm -f, kill and stop while it starts: they act once it has started; never the plumbing\'s words', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await call('container.create', { image: 'host', cmd: ['sleep', '600'] });
      const id = c.result!.id!;
      const [start, ...others] = await Promise.all([
        call('container.start', { id }), call('container.kill', { id }), call('container.stop', { id, timeout: 1 }), call('container.remove', { id, force: true }),
      ]);
      for (const r of [start, ...others]) {
        assert.doesNotMatch(r.error?.message ?? '', /ENOENT|exec fifo|netns|CNI|eth0/, JSON.stringify(r.error));
        if (r.error) assert.match(r.error.message, /No such container|is not running|was removed while/, r.error.message);
      }
      assert.equal(start.error, undefined, `start: ${JSON.stringify(start.error)}`);
      const gone = await call('container.inspect', { id });
      assert.equal(gone.error?.data?.kind, 'not_found');
    }
  });
});
