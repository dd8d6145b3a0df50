// `nscope login` and `nscope logout` through the real CLI, with HOME in a temp
// dir. The helper is a stand-in on a temp socket that answers
// `registry.login` (right password: ok; "token" password: ok with an
// identity token; else refused): what the CLI sends, prints and stores is
// what is tested here; the registry side is the helper's own test.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const REPO = path.resolve(__dirname, '..', '..', '..');
const b64 = (s: string) => Buffer.from(s).toString('base64');

interface Seen { method: string; params: { server: string; auth: Record<string, string> } }

/** A JSON-RPC peer on a Unix socket that knows registry.login only. */
async function fakeHelper(dir: string): Promise<{ socket: string; seen: Seen[]; close: () => Promise<void> }> {
  const socket = path.join(dir, 'helper.sock');
  const seen: Seen[] = [];
  const server = net.createServer((c) => {
    let buf = '';
    c.on('data', (d) => {
      buf += d;
      for (let i; (i = buf.indexOf('\n')) >= 0;) {
        const req = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        seen.push({ method: req.method, params: req.params });
        const a = req.params?.auth ?? {};
        const reply = req.method !== 'registry.login' ? { error: { code: -32601, message: 'Method not found' } }
          : a.password === 'right' || a.identitytoken === 'tok-1' ? { result: { status: 'Login Succeeded' } }
            : a.password === 'token' ? { result: { status: 'Login Succeeded', identitytoken: 'tok-1' } }
              : { error: { code: -32000, message: 'unauthorized:\nincorrect username or password' } };
        c.write(JSON.stringify({ jsonrpc: '2.0', id: req.id, ...reply }) + '\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return { socket, seen, close: () => new Promise((r) => server.close(() => r())) };
}

function nscope(env: NodeJS.ProcessEnv, socket: string, args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [path.join(REPO, 'bin', 'nscope'), '--socket', socket, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => p.kill('SIGKILL'), 30000);
    p.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout, stderr }); });
    p.stdin.end(input);
  });
}

function sandbox(t: { after: (fn: () => unknown) => void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-login-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home };
  return { dir, env, config: path.join(home, '.docker', 'config.json') };
}

test('login --password-stdin: checked by the helper, stored in config.json 0600, "Login Succeeded"', async (t) => {
  const s = sandbox(t);
  const h = await fakeHelper(s.dir); t.after(h.close);
  const r = await nscope(s.env, h.socket, ['login', '-u', 'alice', '--password-stdin', 'https://Reg.Example:5000/'], 'right\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Login Succeeded\n');
  assert.match(r.stderr, /stored unencrypted in '.*config\.json'/);
  assert.deepEqual(h.seen, [{ method: 'registry.login', params: { server: 'reg.example:5000', auth: { username: 'alice', password: 'right' } } }]);
  assert.deepEqual(JSON.parse(fs.readFileSync(s.config, 'utf8')), { auths: { 'reg.example:5000': { auth: b64('alice:right') } } });
  assert.equal(fs.statSync(s.config).mode & 0o777, 0o600);

  // no flags, not a TTY: the stored credentials are tried, and work
  const again = await nscope(s.env, h.socket, ['login', 'reg.example:5000']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, 'Login Succeeded\n');
  assert.deepEqual(h.seen[1].params.auth, { username: 'alice', password: 'right' });
});

test('login: an identity token from the registry is kept instead of the password', async (t) => {
  const s = sandbox(t);
  const h = await fakeHelper(s.dir); t.after(h.close);
  const r = await nscope(s.env, h.socket, ['login', '-u', 'bob', '--password-stdin', 'index.docker.io'], 'token');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(h.seen[0].params.server, 'docker.io');
  const auths = JSON.parse(fs.readFileSync(s.config, 'utf8')).auths;
  assert.deepEqual(auths, { 'https://index.docker.io/v1/': { auth: b64('bob:'), identitytoken: 'tok-1' } });
});

test('login refused: one line on stderr, exit 1, nothing stored, the config untouched', async (t) => {
  const s = sandbox(t);
  const h = await fakeHelper(s.dir); t.after(h.close);
  fs.mkdirSync(path.dirname(s.config));
  fs.writeFileSync(s.config, '{"auths":{"other.example":{"auth":"eDp5"}},"psFormat":"x"}');
  const r = await nscope(s.env, h.socket, ['login', '-u', 'alice', '--password-stdin', 'reg.example'], 'wrong-password\n');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'nscope: login to reg.example failed: unauthorized: incorrect username or password\n');
  assert.equal(fs.readFileSync(s.config, 'utf8'), '{"auths":{"other.example":{"auth":"eDp5"}},"psFormat":"x"}');
});

test('login -p warns as Docker does; argument errors need no helper', async (t) => {
  const s = sandbox(t);
  const h = await fakeHelper(s.dir); t.after(h.close);
  const r = await nscope(s.env, h.socket, ['login', '-u', 'alice', '-p', 'right', 'reg.example']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^WARNING! Using --password via the CLI is insecure\. Use --password-stdin\.\n/);

  const nohelper = '/nonexistent/nscope.sock';
  for (const [args, input, why] of [
    [['login', '--password-stdin'], 'pw', /Must provide --username with --password-stdin/],
    [['login', '-u', 'a', '-p', 'x', '--password-stdin'], 'pw', /mutually exclusive/],
    [['login', '-u', 'a', '--password-stdin'], '', /no password on stdin/],
    [['login', 'a.example', 'b.example'], '', /at most one registry/],
    [['login', 'user@reg.example'], '', /user names do not belong/],
    [['logout', 'reg example'], '', /no spaces/],
  ] as const) {
    const e = await nscope(s.env, nohelper, [...args], input);
    assert.equal(e.code, 1, `${args.join(' ')}: ${e.stderr}`);
    assert.match(e.stderr, why);
    assert.doesNotMatch(e.stderr, /cannot connect/);
  }
  // no TTY and nothing stored: no prompt, a clear error
  const tty = await nscope(s.env, nohelper, ['login', 'new.example']);
  assert.equal(tty.code, 1);
  assert.match(tty.stderr, /Cannot perform an interactive login from a non TTY device/);
});

test('logout: removes from config.json and auth.json, or says it was not logged in', async (t) => {
  const s = sandbox(t);
  const run = path.join(s.dir, 'run');
  fs.mkdirSync(path.join(run, 'containers'), { recursive: true });
  fs.mkdirSync(path.dirname(s.config));
  fs.writeFileSync(s.config, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('a:b') }, 'keep.example': { auth: b64('k:k') } } }));
  fs.writeFileSync(path.join(run, 'containers', 'auth.json'), JSON.stringify({ auths: { 'docker.io': { auth: b64('p:q') } } }));
  const env = { ...s.env, XDG_RUNTIME_DIR: run };
  const nohelper = '/nonexistent/nscope.sock';
  const r = await nscope(env, nohelper, ['logout']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Removing login credentials for docker.io\n');
  assert.deepEqual(JSON.parse(fs.readFileSync(s.config, 'utf8')).auths, { 'keep.example': { auth: b64('k:k') } });
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(run, 'containers', 'auth.json'), 'utf8')).auths, {});
  const again = await nscope(env, nohelper, ['logout', 'https://index.docker.io/v1/']);
  assert.equal(again.code, 0);
  assert.equal(again.stdout, 'Not logged in to docker.io\n');
  // a damaged config.json: named, exit 1, left as it was
  fs.writeFileSync(s.config, '{oops');
  const bad = await nscope(env, nohelper, ['logout', 'keep.example']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, new RegExp(`${s.config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON`));
  assert.equal(fs.readFileSync(s.config, 'utf8'), '{oops');
});
