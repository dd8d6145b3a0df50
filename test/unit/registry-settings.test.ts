// How the helper reaches a registry: endpoint order (mirrors, insecure
// fallbacks), insecure hosts and address blocks, certs.d with real
// certificates made by openssl, and daemon.json / registries.conf as written
// by admins (and as broken by them).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { test } from 'node:test';
import { isInsecure } from '../../helper/registry/insecure';
import { parseRegistriesConf } from '../../helper/registry/registries-conf';
import { defaultSettings, endpointsFor, loadSettings, type RegistrySettings } from '../../helper/registry/settings';

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-regset-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const settings = (s: Partial<RegistrySettings> = {}): RegistrySettings => ({ ...defaultSettings(), certsDir: '/nonexistent/certs.d', ...s });
const urls = (eps: ReturnType<typeof endpointsFor>) => eps.map((e) => `${e.url}${e.tls ? (e.tls.verify ? ' verify' : ' noverify') : ''}${e.mirror ? ' mirror' : ''}`);

/** A self-signed certificate and its key, by openssl, as PEM files NAME.crt|cert and NAME.key. */
function makeCert(dir: string, name: string, certExt: 'crt' | 'cert'): void {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, `${name}.key`), '-out', path.join(dir, `${name}.${certExt}`), '-subj', `/CN=${name}`, '-days', '1'], { stdio: 'ignore' });
}

test('endpoints: a registry over verified https; Docker Hub after its mirrors', () => {
  assert.deepEqual(urls(endpointsFor('reg.example.com', settings())), ['https://reg.example.com verify']);
  assert.deepEqual(urls(endpointsFor('reg.example.com:5000', settings())), ['https://reg.example.com:5000 verify']);
  assert.deepEqual(urls(endpointsFor('docker.io', settings())), ['https://registry-1.docker.io verify']);
  const eps = endpointsFor('docker.io', settings({ mirrors: ['https://m1.example/', 'http://m2.example:5000', 'https://m3.example/path/'] }));
  assert.deepEqual(urls(eps), ['https://m1.example verify mirror', 'http://m2.example:5000 mirror', 'https://m3.example/path verify mirror', 'https://registry-1.docker.io verify']);
  assert.deepEqual(eps.map((e) => e.host), ['m1.example', 'm2.example:5000', 'm3.example', 'registry-1.docker.io']);
  // mirrors are Docker Hub's only
  assert.deepEqual(urls(endpointsFor('quay.io', settings({ mirrors: ['https://m1.example'] }))), ['https://quay.io verify']);
  // no CA files: node's own roots (ca left out)
  assert.equal(endpointsFor('quay.io', settings())[0].tls!.ca, undefined);
});

test('endpoints: insecure registries try unverified https, then http; loopback always', () => {
  const s = settings({ insecure: ['reg.lan:5000', '10.0.0.0/8', 'fd00::/8', 'mirror.lan'], mirrors: ['https://mirror.lan'] });
  assert.deepEqual(urls(endpointsFor('reg.lan:5000', s)), ['https://reg.lan:5000 noverify', 'http://reg.lan:5000']);
  // another port is another registry
  assert.deepEqual(urls(endpointsFor('reg.lan:5001', s)), ['https://reg.lan:5001 verify']);
  assert.deepEqual(urls(endpointsFor('10.1.2.3:5000', s)), ['https://10.1.2.3:5000 noverify', 'http://10.1.2.3:5000']);
  assert.deepEqual(urls(endpointsFor('11.1.2.3:5000', s)), ['https://11.1.2.3:5000 verify']);
  assert.deepEqual(urls(endpointsFor('[fd12::1]:5000', s)), ['https://[fd12::1]:5000 noverify', 'http://[fd12::1]:5000']);
  for (const lo of ['127.0.0.1:5000', '127.1.2.3', 'localhost:5000', '[::1]:5000', 'LOCALHOST']) {
    assert.deepEqual(urls(endpointsFor(lo, settings())).map((u) => u.split(' ')[1] ?? 'plain'), ['noverify', 'plain'], lo);
  }
  assert.deepEqual(urls(endpointsFor('docker.io', s)), ['https://mirror.lan noverify mirror', 'http://mirror.lan mirror', 'https://registry-1.docker.io verify']);
});

test('isInsecure: hosts exactly, CIDRs for address literals only', () => {
  assert.equal(isInsecure('192.168.1.7:5000', ['192.168.0.0/16']), true);
  assert.equal(isInsecure('192.169.1.7:5000', ['192.168.0.0/16']), false);
  assert.equal(isInsecure('10.0.0.1', ['10.0.0.1/32']), true);
  assert.equal(isInsecure('Reg.Lan:5000', ['reg.lan:5000']), true);
  assert.equal(isInsecure('reg.lan', ['reg.lan:5000']), false);
  // a name is not resolved to match a CIDR
  assert.equal(isInsecure('reg.lan', ['0.0.0.0/0']), false);
  assert.equal(isInsecure('[::1]', []), true);
  assert.equal(isInsecure('[::2]', []), false);
});

test('endpoints: bad registry names are clear errors', () => {
  for (const [bad, why] of [['reg.example.com/path', /without a path/], ['user@reg.example.com', /user names/], ['reg example', /spaces/], ['::1', /brackets/], ['', /no host/], ['h:0', /out of range/]] as const) {
    assert.throws(() => endpointsFor(bad, settings()), why, bad);
  }
  assert.throws(() => endpointsFor('docker.io', settings({ mirrors: ['ftp://m'] })), /only http/);
});

test('certs.d: *.crt are CAs added to the system roots, NAME.cert + NAME.key a client certificate', (t) => {
  const dir = tmp(t);
  const host = path.join(dir, 'reg.lan:5000');
  fs.mkdirSync(host);
  makeCert(host, 'ca', 'crt');
  fs.rmSync(path.join(host, 'ca.key'));
  makeCert(host, 'client', 'cert');
  const [ep] = endpointsFor('reg.lan:5000', settings({ certsDir: dir }));
  assert.equal(ep.tls!.verify, true);
  const ca = ep.tls!.ca!;
  assert.equal(ca.length, tls.rootCertificates.length + 1);
  assert.ok(ca.some((c) => c.equals(fs.readFileSync(path.join(host, 'ca.crt')))));
  assert.ok(ca.some((c) => c.toString() === tls.rootCertificates[0]), 'the system roots stay');
  assert.ok(ep.tls!.cert!.equals(fs.readFileSync(path.join(host, 'client.cert'))));
  assert.ok(ep.tls!.key!.equals(fs.readFileSync(path.join(host, 'client.key'))));
  // the material is usable by node's tls as it is
  tls.createSecureContext({ ca, cert: ep.tls!.cert, key: ep.tls!.key });
  // another host's directory is not this one's
  assert.equal(endpointsFor('reg.lan', settings({ certsDir: dir }))[0].tls!.ca, undefined);
  // insecure: unverified, but the client certificate is still presented
  const [insecure] = endpointsFor('127.0.0.1:5000', settings({ certsDir: dir }));
  assert.equal(insecure.tls!.verify, false);
  fs.mkdirSync(path.join(dir, '127.0.0.1:5000'));
  makeCert(path.join(dir, '127.0.0.1:5000'), 'me', 'cert');
  assert.ok(endpointsFor('127.0.0.1:5000', settings({ certsDir: dir }))[0].tls!.cert);
});

test('certs.d: a cert without its key, a key without its cert, a file that is no certificate', (t) => {
  const dir = tmp(t);
  const host = path.join(dir, 'reg.lan');
  fs.mkdirSync(host);
  makeCert(host, 'client', 'cert');
  fs.renameSync(path.join(host, 'client.key'), path.join(host, 'other.key'));
  assert.throws(() => endpointsFor('reg.lan', settings({ certsDir: dir })), /client\.cert: a client certificate without its key \(client\.key\)/);
  fs.rmSync(path.join(host, 'client.cert'));
  assert.throws(() => endpointsFor('reg.lan', settings({ certsDir: dir })), /other\.key: a client key without its certificate/);
  fs.rmSync(path.join(host, 'other.key'));
  fs.writeFileSync(path.join(host, 'ca.crt'), 'not a certificate\n');
  assert.throws(() => endpointsFor('reg.lan', settings({ certsDir: dir })), (e: Error) => e.message.includes(path.join(host, 'ca.crt')) && /not a PEM certificate/.test(e.message));
});

test('loadSettings: daemon.json and registries.conf together, plus the flags; missing files are fine', (t) => {
  const dir = tmp(t);
  const dj = path.join(dir, 'daemon.json');
  const rc = path.join(dir, 'registries.conf');
  fs.writeFileSync(dj, JSON.stringify({ 'insecure-registries': ['reg.lan:5000', '10.0.0.0/8'], 'registry-mirrors': ['https://mirror.gcr.io/'], 'log-driver': 'json-file', 'storage-driver': 'overlay2' }));
  fs.writeFileSync(rc, `# a podman host's file
unqualified-search-registries = [
  "docker.io",   # the Hub
  "quay.io",
]
short-name-mode = "enforcing"

[[registry]]
location = "podreg.lan:5000"
insecure = true

[[registry]]
prefix = "docker.io"
location = "docker.io"

[[registry.mirror]]
location = "hubmirror.lan:5000/docker"
insecure = true

[[registry.mirror]]
location = "second.example"

[[registry]]
location = "quay.io"
[[registry.mirror]]
location = "quaymirror.lan"   # not the Hub's: not a docker.io mirror

[[registry]]
location = "*.wild.example"
insecure = true

[aliases]
"myimage" = "quay.io/me/myimage"
`);
  const s = loadSettings({ daemonJson: dj, registriesConf: rc, certsDir: '/x/certs.d', insecure: ['flag.lan'], mirrors: ['https://flagmirror.lan'] });
  assert.deepEqual(s, {
    insecure: ['reg.lan:5000', '10.0.0.0/8', 'podreg.lan:5000', 'hubmirror.lan:5000', 'flag.lan'],
    mirrors: ['https://mirror.gcr.io', 'https://hubmirror.lan:5000/docker', 'https://second.example', 'https://flagmirror.lan'],
    certsDir: '/x/certs.d',
  });
  assert.deepEqual(loadSettings({ daemonJson: path.join(dir, 'none.json'), registriesConf: path.join(dir, 'none.conf') }), { ...defaultSettings() });
  assert.deepEqual(loadSettings({ daemonJson: 'none', registriesConf: 'none', insecure: ['a.lan'] }).insecure, ['a.lan']);
  // an empty daemon.json is none
  fs.writeFileSync(dj, '');
  assert.deepEqual(loadSettings({ daemonJson: dj, registriesConf: 'none' }).insecure, []);
});

test('loadSettings: broken files and bad entries are errors naming the file', (t) => {
  const dir = tmp(t);
  const dj = path.join(dir, 'daemon.json');
  const load = () => loadSettings({ daemonJson: dj, registriesConf: 'none' });
  for (const [text, why] of [
    ['{"insecure-registries": ["a"', /not valid JSON/],
    ['["x"]', /not a JSON object/],
    ['{"insecure-registries": "reg.lan"}', /"insecure-registries" is not a list of strings/],
    ['{"registry-mirrors": ["mirror.lan"]}', /registry mirror "mirror.lan" is not a URL/],
    ['{"registry-mirrors": ["https://u:p@mirror.lan"]}', /credentials do not belong/],
    ['{"insecure-registries": ["http://reg.lan"]}', /without a scheme/],
    ['{"insecure-registries": ["10.0.0.0/33"]}', /address block/],
  ] as const) {
    fs.writeFileSync(dj, text);
    assert.throws(load, (e: Error) => e.message.startsWith(`${dj}:`) && why.test(e.message), text);
  }
  assert.throws(() => loadSettings({ daemonJson: 'none', registriesConf: 'none', insecure: ['a b'] }), /--insecure-registry: insecure registry "a b": a host name has no spaces/);
  fs.mkdirSync(path.join(dir, 'dir.json'));
  assert.throws(() => loadSettings({ daemonJson: path.join(dir, 'dir.json'), registriesConf: 'none' }), /dir\.json: cannot read it/);
});

test('registries.conf: the v1 format, and broken files with their line numbers', () => {
  const f = '/etc/containers/registries.conf';
  assert.deepEqual(parseRegistriesConf('[registries.search]\nregistries = ["docker.io"]\n[registries.insecure]\nregistries = [\'old.lan:5000\', "10.1.0.0/16"]\n[registries.block]\nregistries = []\n', f),
    { insecure: ['old.lan:5000', '10.1.0.0/16'], mirrors: [] });
  assert.deepEqual(parseRegistriesConf('', f), { insecure: [], mirrors: [] });
  // strings with '#', escapes, an inline table and a multi-line string where they are ignored
  assert.deepEqual(parseRegistriesConf('[[registry]]\nlocation = "a.lan#1"\ninsecure = true\nnote = """\nmany\nlines"""\nx = { a = 1 }\nblocked = false\n', f),
    { insecure: ['a.lan#1'], mirrors: [] });
  for (const [text, why] of [
    ['[[registry]\nlocation = "x"', /:1: unbalanced table header/],
    ['[[registry]]\nlocation = x.lan', /:2: not a TOML value/],
    ['[[registry]]\nlocation = "x.lan', /:2: a string is not closed/],
    ['[[registry]]\ninsecure = "yes"\nlocation = "x"', /:1: "insecure" is not true or false/],
    ['[[registry]]\ninsecure = true', /:1: a \[\[registry\]\] has no location/],
    ['[[registry.mirror]]\nlocation = "m"', /:1: \[\[registry.mirror\]\] before any \[\[registry\]\]/],
    ['unqualified-search-registries = ["docker.io",\n', /:1: the value of "unqualified-search-registries" is not closed/],
    ['[[registry]]\nlocation = "a"\nlocation = "b"', /:3: "location" is set twice/],
    ['just some words', /:1: not a TOML key = value/],
    ['[[registry]]\nlocation = "a" "b"', /:2: text after a string/],
    ['[[registry]]\nlocation = ["a" "b"]', /:2: expected "," or "\]"/],
  ] as const) {
    assert.throws(() => parseRegistriesConf(text, f), (e: Error) => e.message.startsWith(f) && why.test(e.message), `${text}\n→ ${why}`);
  }
});
