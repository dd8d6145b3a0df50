// Helper side: how to reach a registry — its mirrors, whether plain HTTP is
// allowed, which CAs and client certificates its TLS uses. The admin says so
// where Docker and podman read it (daemon.json, registries.conf, certs.d), so
// one machine's set-up serves all three.
import * as fs from 'fs';
import { readHostCerts } from './certs-dir';
import { checkInsecureEntry, isInsecure } from './insecure';
import { checkHost, DOCKER_HUB } from './names';
import { parseRegistriesConf } from './registries-conf';

export interface RegistrySettings {
  /** hosts ("host:port") or CIDRs whose registries may be reached over plain HTTP or unverified TLS */
  insecure: string[];
  /** mirrors of docker.io, tried in order before it ("https://mirror.example:5000") */
  mirrors: string[];
  /** Docker's certs.d convention: DIR/HOST[:PORT]/{ca.crt,*.cert,*.key} */
  certsDir: string;
}

export interface Endpoint {
  /** "https://127.0.0.1:5000" or "http://…"; no trailing slash */
  url: string;
  /** the registry host these requests are for ("docker.io" → "registry-1.docker.io") */
  host: string;
  /** a mirror: on failure the next endpoint is tried */
  mirror: boolean;
  /** TLS material for https endpoints; `verify: false` only for insecure registries */
  tls?: { ca?: Buffer[]; cert?: Buffer; key?: Buffer; verify: boolean };
}

/** Where Docker Hub's registry API is. */
const HUB_HOST = 'registry-1.docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', HUB_HOST]);

export const DAEMON_JSON = '/etc/docker/daemon.json';
export const REGISTRIES_CONF = '/etc/containers/registries.conf';

export function defaultSettings(): RegistrySettings {
  return { insecure: [], mirrors: [], certsDir: '/etc/docker/certs.d' };
}

/**
 * The endpoints to try for `registry` ("host[:port]", IPv6 in brackets), in
 * order: for Docker Hub its mirrors first; for an insecure registry https
 * without verification, then http (as Docker: TLS where the registry has it).
 */
export function endpointsFor(registry: string, settings: RegistrySettings): Endpoint[] {
  checkHost(registry);
  const reg = HUB_ALIASES.has(registry.toLowerCase()) ? DOCKER_HUB : registry.toLowerCase();
  const out: Endpoint[] = [];
  if (reg === DOCKER_HUB) {
    for (const m of settings.mirrors) {
      const u = new URL(checkMirror(m, 'mirrors'));
      const base = `${u.host}${u.pathname.replace(/\/+$/, '')}`;
      if (u.protocol === 'http:') out.push({ url: `http://${base}`, host: u.host, mirror: true });
      else out.push(...viaHost(u.host, base, true, settings));
    }
  }
  out.push(...viaHost(reg === DOCKER_HUB ? HUB_HOST : reg, reg === DOCKER_HUB ? HUB_HOST : reg, false, settings));
  return out;
}

function viaHost(host: string, base: string, mirror: boolean, settings: RegistrySettings): Endpoint[] {
  const certs = readHostCerts(settings.certsDir, host);
  const tls = { ...(certs.ca && { ca: certs.ca }), ...(certs.cert && { cert: certs.cert, key: certs.key }) };
  if (!isInsecure(host, settings.insecure)) return [{ url: `https://${base}`, host, mirror, tls: { ...tls, verify: true } }];
  return [
    { url: `https://${base}`, host, mirror, tls: { ...tls, verify: false } },
    { url: `http://${base}`, host, mirror },
  ];
}

/** The mirror URL, normalized (no trailing slash); an error naming `source` unless it is http(s)://host[:port][/path]. */
function checkMirror(mirror: string, source: string): string {
  let u: URL;
  try { u = new URL(mirror); } catch { throw new Error(`${source}: registry mirror "${mirror}" is not a URL (https://host[:port])`); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`${source}: registry mirror "${mirror}": only http:// and https:// mirrors`);
  if (u.username || u.password) throw new Error(`${source}: registry mirror "${mirror}": credentials do not belong in its URL`);
  if (u.search || u.hash) throw new Error(`${source}: registry mirror "${mirror}": no query or fragment`);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

export interface LoadOptions {
  /** Docker's daemon.json (default /etc/docker/daemon.json); 'none': not read */
  daemonJson?: string;
  /** containers-registries.conf (default /etc/containers/registries.conf); 'none': not read */
  registriesConf?: string;
  certsDir?: string;
  /** from the daemon's flags: added to what the files say */
  insecure?: string[];
  mirrors?: string[];
}

/** The settings from daemon.json, registries.conf and the daemon's flags; a missing file is none, a broken one an error naming it. */
export function loadSettings(opts: LoadOptions = {}): RegistrySettings {
  const s = defaultSettings();
  if (opts.certsDir) s.certsDir = opts.certsDir;
  const add = (source: string, insecure: string[], mirrors: string[]) => {
    for (const e of insecure) { checkInsecureEntry(e, source); if (!s.insecure.includes(e)) s.insecure.push(e); }
    for (const m of mirrors) { const n = checkMirror(m, source); if (!s.mirrors.includes(n)) s.mirrors.push(n); }
  };
  const dj = opts.daemonJson ?? DAEMON_JSON;
  const djText = dj === 'none' ? undefined : readIfThere(dj);
  if (djText !== undefined) {
    const d = readDaemonJson(djText, dj);
    add(dj, d.insecure, d.mirrors);
  }
  const rc = opts.registriesConf ?? REGISTRIES_CONF;
  const rcText = rc === 'none' ? undefined : readIfThere(rc);
  if (rcText !== undefined) {
    const r = parseRegistriesConf(rcText, rc);
    add(rc, r.insecure, r.mirrors);
  }
  add('--insecure-registry', opts.insecure ?? [], []);
  add('--registry-mirror', [], opts.mirrors ?? []);
  return s;
}

function readIfThere(file: string): string | undefined {
  try { return fs.readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot read it: ${(e as Error).message}`);
  }
}

/** daemon.json's `insecure-registries` and `registry-mirrors`; the rest is dockerd's. */
function readDaemonJson(text: string, file: string): { insecure: string[]; mirrors: string[] } {
  if (text.trim() === '') return { insecure: [], mirrors: [] };
  let d: unknown;
  try { d = JSON.parse(text); } catch (e) { throw new Error(`${file}: not valid JSON (${(e as Error).message})`); }
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw new Error(`${file}: not a JSON object`);
  const list = (key: string): string[] => {
    const v = (d as Record<string, unknown>)[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`${file}: "${key}" is not a list of strings`);
    return v as string[];
  };
  return { insecure: list('insecure-registries'), mirrors: list('registry-mirrors') };
}
