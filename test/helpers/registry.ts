// A private OCI registry for a test: Debian's docker-registry (distribution
// 2.8, scripts/setup-registry.sh) serving its own storage directory on
// 127.0.0.1 and a free port, in one of three modes —
//   plain      plain HTTP, no auth
//   tls-basic  HTTPS with a CA of the test's own, and htpasswd basic auth
//   token      Docker token auth against our token server (registry-token.ts)
// Never the host's registry or port 5000; stop() ends every process it
// started and removes its directory. No node:test in here: bench/pull.ts
// starts its registry with it too.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeHtpasswd, makeServerCerts, makeSigningKey } from './registry-certs';
import { startTokenServer, type KeyHeader, type TokenServer } from './registry-token';

export type RegistryMode = 'plain' | 'tls-basic' | 'token';

export interface RegistryOptions {
  mode?: RegistryMode;
  /** HTTPS: on in tls-basic, off otherwise unless asked (token mode over TLS) */
  tls?: boolean;
  /** the credentials of tls-basic and token modes (made up if not given) */
  user?: string;
  password?: string;
  /** token mode: repositories anonymous clients may pull */
  publicRepos?: string[];
  /** token mode: how the JWT names its key (registry-token.ts) */
  tokenKeyHeader?: KeyHeader;
  tokenTtlSeconds?: number;
  /** where its config, certificates and storage go (a new temp dir, removed by stop(), if not given) */
  dir?: string;
  /** accept manifests whose foreign (non-distributable) layers name http(s) URLs (distribution refuses them by default) */
  foreignUrls?: boolean;
}

export interface TestRegistry {
  mode: RegistryMode;
  /** `127.0.0.1:PORT`, the name's registry part */
  host: string;
  /** `http(s)://127.0.0.1:PORT` */
  url: string;
  dir: string;
  /** the filesystem driver's root: blobs under docker/registry/v2/blobs/sha256/XX/HEX/data */
  storageDir: string;
  /** certs.d-style (Docker's convention): `certsDir/127.0.0.1:PORT/ca.crt` */
  certsDir?: string;
  caFile?: string;
  user?: string;
  password?: string;
  token?: TokenServer;
  /** what the registry printed (warnings and errors: log level warn) */
  log(): string;
  /** SIGKILL of the registry process alone (a crash mid-transfer); storage and token server stay */
  kill(): Promise<void>;
  /** starts the registry again after kill(), same port, same storage */
  restart(): Promise<void>;
  /** ends the registry and the token server, waits for them, removes the directory if it made it */
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 right now (the registry binds it itself: start() retries if another took it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Any HTTP answer from GET /v2/ (200, or 401 where auth is on) means it serves. */
function probe(url: string, caFile?: string): Promise<number> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(`${url}/v2/`, { ...(caFile ? { ca: fs.readFileSync(caFile) } : {}), timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
  });
}

const exited = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;
const waitExit = (p: ChildProcess) => (exited(p) ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r())));

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const mode = opts.mode ?? 'plain';
  const tls = opts.tls ?? mode === 'tls-basic';
  const ownDir = !opts.dir;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-registry-'));
  fs.mkdirSync(dir, { recursive: true });
  const storageDir = path.join(dir, 'storage');
  fs.mkdirSync(storageDir, { recursive: true });
  const user = mode === 'plain' ? undefined : opts.user ?? 'nscope-tester';
  const password = mode === 'plain' ? undefined : opts.password ?? randomBytes(9).toString('base64url');
  const certs = tls ? makeServerCerts(path.join(dir, 'tls')) : undefined;

  let token: TokenServer | undefined;
  let log = '';
  let proc: ChildProcess | undefined;
  try {
    let auth: Record<string, unknown> | undefined;
    if (mode === 'tls-basic') {
      const file = path.join(dir, 'htpasswd');
      makeHtpasswd(file, user!, password!);
      auth = { htpasswd: { realm: 'nscope-test', path: file } };
    } else if (mode === 'token') {
      const key = makeSigningKey(path.join(dir, 'token'));
      const service = 'nscope-test-registry';
      const issuer = 'nscope-test-token-issuer';
      token = await startTokenServer({ key, issuer, service, user, password, publicRepos: opts.publicRepos, keyHeader: opts.tokenKeyHeader, ttlSeconds: opts.tokenTtlSeconds });
      auth = { token: { realm: token.realm, service, issuer, rootcertbundle: key.certFile } };
    }

    const launch = async (port: number): Promise<boolean> => {
      // YAML is a superset of JSON: the config is written as JSON, nothing to escape
      const config = {
        version: '0.1',
        log: { level: 'warn', accesslog: { disabled: true }, formatter: 'text' },
        storage: { filesystem: { rootdirectory: storageDir }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } },
        http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex'), ...(certs ? { tls: { certificate: certs.certFile, key: certs.keyFile } } : {}) },
        ...(auth ? { auth } : {}),
        ...(opts.foreignUrls ? { validation: { manifests: { urls: { allow: ['^https?://'] } } } } : {}),
      };
      const configFile = path.join(dir, 'config.yml');
      fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
      // REGISTRY_* variables would override the file: none of the caller's reach it
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
      const p = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env });
      proc = p;
      p.stdout!.on('data', (d) => { log += d; });
      p.stderr!.on('data', (d) => { log += d; });
      p.on('error', (e) => { log += `spawn: ${e.message}\n`; });
      const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
      const deadline = Date.now() + 15000;
      for (;;) {
        if (exited(p)) {
          if (/address already in use/.test(log)) return false;
          throw new Error(`docker-registry exited (${p.exitCode ?? p.signalCode}): ${log.trim().slice(-2000)}`);
        }
        if (await probe(url, certs?.caFile)) return true;
        if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${url}/v2/: ${log.trim().slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 30));
      }
    };

    let port = 0;
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      if (await launch(port)) break;
      if (attempt === 4) throw new Error(`docker-registry: no free port after 5 tries: ${log.slice(-500)}`);
    }
    const host = `127.0.0.1:${port}`;
    let certsDir: string | undefined;
    if (certs) {
      certsDir = path.join(dir, 'certs.d');
      fs.mkdirSync(path.join(certsDir, host), { recursive: true });
      fs.copyFileSync(certs.caFile, path.join(certsDir, host, 'ca.crt'));
    }
    const reg: TestRegistry = {
      mode, host, url: `${tls ? 'https' : 'http'}://${host}`, dir, storageDir, certsDir, caFile: certs?.caFile, user, password, token,
      log: () => log,
      kill: async () => {
        if (proc && !exited(proc)) { proc.kill('SIGKILL'); await waitExit(proc); }
      },
      restart: async () => {
        if (proc && !exited(proc)) throw new Error('registry: restart() while it runs (kill() first)');
        if (!(await launch(port))) throw new Error(`registry: port ${port} was taken while it was down`);
      },
      stop: async () => {
        if (proc && !exited(proc)) {
          const p = proc;
          p.kill('SIGTERM');
          const t = setTimeout(() => p.kill('SIGKILL'), 5000);
          await waitExit(p);
          clearTimeout(t);
        }
        await token?.stop();
        if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
      },
    };
    return reg;
  } catch (e) {
    if (proc && !exited(proc)) { proc.kill('SIGKILL'); await waitExit(proc); }
    await token?.stop();
    if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Where the registry keeps a blob's bytes. */
export function blobPath(reg: Pick<TestRegistry, 'storageDir'>, digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`not a sha256 digest: ${digest}`);
  return path.join(reg.storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', m[1].slice(0, 2), m[1], 'data');
}

/**
 * Changes a stored blob's bytes in place, keeping its size: the registry
 * serves it as before (it does not re-hash on GET) and the client's digest
 * check must catch it. `offset` (default the middle) is the byte flipped.
 */
export function corruptBlob(reg: Pick<TestRegistry, 'storageDir'>, digest: string, offset?: number): void {
  const f = blobPath(reg, digest);
  const fd = fs.openSync(f, 'r+');
  try {
    const size = fs.fstatSync(fd).size;
    if (!size) throw new Error(`blob ${digest} is empty`);
    const at = Math.min(offset ?? Math.floor(size / 2), size - 1);
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, at);
    b[0] ^= 0xff;
    fs.writeSync(fd, b, 0, 1, at);
  } finally {
    fs.closeSync(fd);
  }
}
