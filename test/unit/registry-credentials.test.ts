// The client's credential store: config.json and auth.json read and written
// in a temp HOME, and real `docker-credential-*` programs (shell scripts on a
// temp PATH) for the helper protocol.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { credentialsFor, removeCredentials, saveCredentials } from '../../helper/registry/credentials';
import { normalizeRegistry } from '../../helper/registry/names';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A fresh HOME, runtime dir and PATH (with the fake helpers); the env to hand the functions. */
function sandbox() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-creds-'));
  const home = path.join(dir, 'home');
  const run = path.join(dir, 'run');
  const bin = path.join(dir, 'bin');
  const store = path.join(dir, 'keychain');
  for (const d of [home, run, bin, store]) fs.mkdirSync(d);
  // a keychain in a directory: one file per server URL, holding what `store` was given
  const slot = 'f="$FAKE_STORE/$(printf %s "$url" | tr -c "A-Za-z0-9" _)"';
  script(bin, 'fake', `
url_of() { sed -n 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/p'; }
case "$1" in
get) url=$(cat); ${slot}; if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
store) input=$(cat); url=$(printf %s "$input" | url_of); ${slot}; printf %s "$input" > "$f" ;;
erase) url=$(cat); ${slot}; if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
*) echo "unknown verb $1"; exit 2 ;;
esac`);
  script(bin, 'locked', 'cat >/dev/null; echo "error: the keychain is locked" >&2; exit 1');
  script(bin, 'garbage', 'cat >/dev/null; echo "Secret: s3cr3t-value, not json"');
  script(bin, 'slow', 'sleep 20');
  const env: NodeJS.ProcessEnv = { HOME: home, XDG_RUNTIME_DIR: run, PATH: `${bin}:/usr/bin:/bin`, FAKE_STORE: store };
  const config = path.join(home, '.docker', 'config.json');
  const authJson = path.join(run, 'containers', 'auth.json');
  return { dir, env, config, authJson, store, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function script(bin: string, name: string, body: string) {
  fs.writeFileSync(path.join(bin, `docker-credential-${name}`), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

function writeJson(file: string, v: unknown) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof v === 'string' ? v : JSON.stringify(v));
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const mode = (file: string) => fs.statSync(file).mode & 0o777;

test('registry names: Docker Hub spellings, URLs and bad hosts', () => {
  for (const s of ['docker.io', 'index.docker.io', 'https://index.docker.io/v1/', 'registry-1.docker.io', 'Docker.IO']) assert.equal(normalizeRegistry(s), 'docker.io', s);
  assert.equal(normalizeRegistry('https://host:5000/'), 'host:5000');
  assert.equal(normalizeRegistry('http://127.0.0.1:5000'), '127.0.0.1:5000');
  assert.equal(normalizeRegistry('[::1]:5000'), '[::1]:5000');
  assert.throws(() => normalizeRegistry('user@host'), /user names/);
  assert.throws(() => normalizeRegistry('my host'), /spaces/);
  assert.throws(() => normalizeRegistry('::1'), /brackets/);
  assert.throws(() => normalizeRegistry('ftp://host'), /http/);
  assert.throws(() => normalizeRegistry('host:99999'), /out of range/);
});

test('config.json: auths by host, by URL, Docker Hub by its v1 key; passwords with ":"', async (t) => {
  const s = sandbox(); t.after(s.cleanup);
  writeJson(s.config, { auths: {
    '127.0.0.1:5000': { auth: b64('alice:pa:ss:word') },
    'https://reg.example.com/v1/': { auth: b64('bob:x') },
    'http://plain.example:8080': { auth: b64('carol:y') },
    'https://index.docker.io/v1/': { auth: b64('dave:hub') },
    'tok.example': { identitytoken: 'refresh-1' },
    'rt.example': { registrytoken: 'bearer-1' },
    'empty.example': {},
  } });
  const get = (r: string) => credentialsFor(r, { env: s.env });
  assert.deepEqual(await get('127.0.0.1:5000'), { username: 'alice', password: 'pa:ss:word' });
  assert.deepEqual(await get('reg.example.com'), { username: 'bob', password: 'x' });
  assert.deepEqual(await get('plain.example:8080'), { username: 'carol', password: 'y' });
  for (const hub of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) assert.deepEqual(await get(hub), { username: 'dave', password: 'hub' });
  assert.deepEqual(await get('tok.example'), { identitytoken: 'refresh-1' });
  assert.deepEqual(await get('rt.example'), { registrytoken: 'bearer-1' });
  assert.equal(await get('empty.example'), undefined);
  assert.equal(await get('other.example'), undefined);
  // another port is another registry
  assert.equal(await get('127.0.0.1:5001'), undefined);
});

test('auth.json is read before config.json; REGISTRY_AUTH_FILE and DOCKER_CONFIG move them', async (t) => {
  const s = sandbox(); t.after(s.cleanup);
  writeJson(s.config, { auths: { 'r.example': { auth: b64('docker:1') }, 'only-docker.example': { auth: b64('d:2') } } });
  writeJson(s.authJson, { auths: { 'r.example': { auth: b64('podman:1') }, 'quay.example/org': { auth: b64('scoped:1') } } });
  assert.deepEqual(await credentialsFor('r.example', { env: s.env }), { username: 'podman', password: '1' });
  assert.deepEqual(await credentialsFor('only-docker.example', { env: s.env }), { username: 'd', password: '2' });
  // a key for one repository is not the registry's
  assert.equal(await credentialsFor('quay.example', { env: s.env }), undefined);

  const other = path.join(s.dir, 'elsewhere.json');
  writeJson(other, { auths: { 'r.example': { auth: b64('custom:1') } } });
  assert.deepEqual(await credentialsFor('r.example', { env: { ...s.env, REGISTRY_AUTH_FILE: other } }), { username: 'custom', password: '1' });

  const dc = path.join(s.dir, 'dockercfg');
  writeJson(path.join(dc, 'config.json'), { auths: { 'only-docker.example': { auth: b64('moved:3') } } });
  assert.deepEqual(await credentialsFor('only-docker.example', { env: { ...s.env, DOCKER_CONFIG: dc } }), { username: 'moved', password: '3' });
  // no XDG_RUNTIME_DIR: no auth.json, config.json answers
  assert.deepEqual(await credentialsFor('r.example', { env: { ...s.env, XDG_RUNTIME_DIR: undefined } }), { username: 'docker', password: '1' });
});

test('saveCredentials writes config.json 0600 in a 0700 dir, atomically, keeping every other key', async (t) => {
  const s = sandbox(); t.after(s.cleanup);
  const r = await saveCredentials('https://index.docker.io/v1/', { username: 'u', password: 'p:w' }, { env: s.env });
  assert.equal(r.where, s.config);
  assert.equal(mode(s.config), 0o600);
  assert.equal(mode(path.dirname(s.config)), 0o700);
  assert.deepEqual(readJson(s.config), { auths: { 'https://index.docker.io/v1/': { auth: b64('u:p:w') } } });
  assert.deepEqual(await credentialsFor('docker.io', { env: s.env }), { username: 'u', password: 'p:w' });

  // an existing file: its other keys and entries survive; another spelling of the host is replaced
  const before = { auths: { 'a.example': { auth: b64('a:a') }, 'https://b.example:5000/': { auth: b64('old:old') } }, proxies: { default: { httpProxy: 'http://proxy:3128' } }, psFormat: 'table {{.ID}}', currentContext: 'x' };
  writeJson(s.config, before);
  fs.chmodSync(s.config, 0o644);
  await saveCredentials('b.example:5000', { username: 'new', identitytoken: 'tok' }, { env: s.env });
  const after = readJson(s.config);
  assert.deepEqual(after.proxies, before.proxies);
  assert.equal(after.psFormat, before.psFormat);
  assert.equal(after.currentContext, 'x');
  assert.deepEqual(after.auths, { 'a.example': { auth: b64('a:a') }, 'b.example:5000': { auth: b64('new:'), identitytoken: 'tok' } });
  assert.equal(mode(s.config), 0o600);
  assert.deepEqual(await credentialsFor('b.example:5000', { env: s.env }), { username: 'new', identitytoken: 'tok' });
  // no temp files left beside it
  assert.deepEqual(fs.readdirSync(path.dirname(s.config)), ['config.json']);
});

test('saveCredentials drops an older auth.json entry that would hide the new login', async (t) => {
  const s = sandbox(); t.after(s.cleanup);
  writeJson(s.authJson, { auths: { 'r.example': { auth: b64('old:old') }, 'other.example': { auth: b64('o:o') } } });
  await saveCredentials('r.example', { username: 'new', password: 'new' }, { env: s.env });
  assert.deepEqual(await credentialsFor('r.example', { env: s.env }), { username: 'new', password: 'new' });
  assert.deepEqual(readJson(s.authJson), { auths: { 'other.example': { auth: b64('o:o') } } });
});

test('a symlinked config.json stays a symlink', async (t) => {
  const s = sandbox(); t.after(s.cleanup);
  const real = path.join(s.dir, 'dotfiles', 'docker.json');
  writeJson(real, { auths: {} });
  fs.mkdirSync(path.dirname(s.config), { recursive: true });
  fs.symlinkSync(real, s.config);
  await saveCredentials('r.example', { username: 'u', password: 'p' }, { env: s.env });
  assert.ok(fs.lstatSync(s.config).isSymbolicLink());
  assert.ok(readJson(real).auths['r.example']);
});

test('a damaged config.json is an error naming it, and login does not overwrite it', async (t) => {
  const s = sandbox(); t.after(s.cleanup);
  const broken = '{"auths": {"r.example": {"auth": "dTpw"}}, oops';
  writeJson(s.config, broken);
  await assert.rejects(credentialsFor('r.example', { env: s.env }), (e: Error) => e.message.includes(s.config) && /not valid JSON/.test(e.message));
  await assert.rejects(saveCredentials('r.example', { username: 'u', password: 'secret-pw' }, { env: s.env }), (e: Error) => e.message.includes(s.config) && !e.message.includes('secret-pw'));
  assert.equal(fs.readFileSync(s.config, 'utf8'), broken);
  await assert.rejects(removeCredentials('r.example', { env: s.env }), new RegExp(s.config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.equal(fs.readFileSync(s.config, 'utf8'), broken);

  for (const [doc, what] of [['[1,2]', /not a JSON object/], ['{"auths": []}', /"auths" is not an object/], ['{"auths": {"h": {"auth": 5}}}', /auths\["h"\]\.auth is not a string/], ['{"credHelpers": {"h": 1}}', /credHelpers/]] as const) {
    writeJson(s.config, doc);
    await assert.rejects(credentialsFor('h', { env: s.env }), what);
  }
  writeJson(s.config, { auths: { h: { auth: b64('no-colon-here') } } });
  await assert.rejects(credentialsFor('h', { env: s.env }), (e: Error) => /auths\["h"\]\.auth is not base64/.test(e.message) && !e.message.includes('no-colon-here'));
  // an empty file is an empty config, as for Docker
  writeJson(s.config, '');
  assert.equal(await credentialsFor('h', { env: s.env }), undefined);
});

test('credHelpers and credsStore: store, get, erase through a real docker-credential program', async (t) => {
  const s = sandbox(); t.after(s.cleanup);
  writeJson(s.config, { credsStore: 'fake', auths: {} });
  const r = await saveCredentials('docker.io', { username: 'hubuser', password: 'hubpw' }, { env: s.env });
  assert.equal(r.where, 'docker-credential-fake');
  // the secret went to the helper (with Docker Hub's server URL), not to the file
  assert.doesNotMatch(fs.readFileSync(s.config, 'utf8'), /hubpw/);
  const kept = fs.readdirSync(s.store);
  assert.deepEqual(kept, ['https___index_docker_io_v1_']);
  assert.deepEqual(readJson(path.join(s.store, kept[0])), { ServerURL: 'https://index.docker.io/v1/', Username: 'hubuser', Secret: 'hubpw' });
  assert.deepEqual(await credentialsFor('docker.io', { env: s.env }), { username: 'hubuser', password: 'hubpw' });
  // "<token>" as the user name: the secret is an identity token
  await saveCredentials('r.example:5000', { username: 'ignored', identitytoken: 'refresh-9' }, { env: s.env });
  assert.deepEqual(readJson(path.join(s.store, 'r_example_5000')), { ServerURL: 'r.example:5000', Username: '<token>', Secret: 'refresh-9' });
  assert.deepEqual(await credentialsFor('r.example:5000', { env: s.env }), { identitytoken: 'refresh-9' });
  // nothing in the helper: nothing found, no error
  assert.equal(await credentialsFor('nothing.example', { env: s.env }), undefined);

  assert.deepEqual(await removeCredentials('docker.io', { env: s.env }), { removed: ['docker-credential-fake'] });
  assert.equal(await credentialsFor('docker.io', { env: s.env }), undefined);
  // removing nothing is no error
  assert.deepEqual(await removeCredentials('docker.io', { env: s.env }), { removed: [] });

  // credHelpers for one host wins over credsStore; other hosts keep the store
  writeJson(s.config, { credsStore: 'locked', credHelpers: { 'r.example:5000': 'fake' } });
  assert.deepEqual(await credentialsFor('r.example:5000', { env: s.env }), { identitytoken: 'refresh-9' });
  await assert.rejects(credentialsFor('elsewhere.example', { env: s.env }), /docker-credential-locked get failed \(exit status 1\): error: the keychain is locked/);
});

test('credential helpers that fail: named in the error, secrets kept out', async (t) => {
  const s = sandbox(); t.after(s.cleanup);
  writeJson(s.config, { credHelpers: { 'g.example': 'garbage', 'm.example': 'missing', 's.example': 'slow', 'bad.example': '../../bin/sh' } });
  await assert.rejects(credentialsFor('g.example', { env: s.env }), (e: Error) => /docker-credential-garbage get: its answer is not JSON/.test(e.message) && !e.message.includes('s3cr3t'));
  await assert.rejects(credentialsFor('m.example', { env: s.env }), /docker-credential-missing is configured but not found in PATH/);
  await assert.rejects(credentialsFor('bad.example', { env: s.env }), /not a valid helper name/);
  const t0 = Date.now();
  await assert.rejects(credentialsFor('s.example', { env: s.env, helperTimeoutMs: 300 }), /docker-credential-slow get: no answer within/);
  assert.ok(Date.now() - t0 < 5000);
  // a helper's refusal to store does not echo the password back
  script(path.join(s.dir, 'bin'), 'echoer', 'cat; exit 1');
  writeJson(s.config, { credsStore: 'echoer' });
  await assert.rejects(saveCredentials('e.example', { username: 'u', password: 'hunter2' }, { env: s.env }), (e: Error) => /docker-credential-echoer store failed/.test(e.message) && !e.message.includes('hunter2'));
});

test('removeCredentials: every spelling, from config.json and auth.json, other entries kept', async (t) => {
  const s = sandbox(); t.after(s.cleanup);
  writeJson(s.config, { auths: { 'https://r.example/v1/': { auth: b64('a:1') }, 'r.example': { auth: b64('a:2') }, 'keep.example': { auth: b64('k:k') } }, HttpHeaders: { 'X-Meta': '1' } });
  writeJson(s.authJson, { auths: { 'r.example': { auth: b64('p:3') } } });
  const r = await removeCredentials('https://r.example', { env: s.env });
  assert.deepEqual(r.removed, [s.config, s.authJson]);
  assert.deepEqual(readJson(s.config), { auths: { 'keep.example': { auth: b64('k:k') } }, HttpHeaders: { 'X-Meta': '1' } });
  assert.deepEqual(readJson(s.authJson), { auths: {} });
  assert.equal(mode(s.config), 0o600);
  assert.equal(await credentialsFor('r.example', { env: s.env }), undefined);
  assert.deepEqual(await removeCredentials('r.example', { env: s.env }), { removed: [] });
  // no files at all: nothing to remove, no error, nothing created
  const empty = sandbox(); t.after(empty.cleanup);
  assert.deepEqual(await removeCredentials('docker.io', { env: empty.env }), { removed: [] });
  assert.equal(fs.existsSync(empty.config), false);
});
