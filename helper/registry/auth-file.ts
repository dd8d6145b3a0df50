// The two files credentials are kept in: Docker's config.json and the
// containers' auth.json (podman, skopeo, buildah). Both have the same
// `auths` map ({"host": {"auth": base64("user:password"), "identitytoken": …}})
// and may name credential helpers (`credsStore`, `credHelpers`). Docker's
// config.json holds much else (proxies, aliases, psFormat…): a write changes
// `auths` only and keeps every other key as it was.
import * as fs from 'fs';
import * as path from 'path';
import type { RegistryAuth } from '../protocol/types/registry';
import { isScopedKey, registryOfKey } from './names';

export interface AuthEntry { auth?: string; identitytoken?: string; registrytoken?: string; username?: string; password?: string }

export interface AuthFile {
  file: string;
  /** the whole document, as read, so a write keeps what it does not know */
  doc: Record<string, unknown>;
  auths: Record<string, AuthEntry>;
  credHelpers: Record<string, string>;
  credsStore?: string;
}

/** The file, or undefined when it does not exist; a damaged file is an error naming it (and never rewritten). */
export function readAuthFile(file: string): AuthFile | undefined {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new Error(`${file}: cannot read it: ${(e as Error).message}`);
  }
  // Docker takes an empty config.json as an empty config
  if (text.trim() === '') return { file, doc: {}, auths: {}, credHelpers: {} };
  let doc: unknown;
  try { doc = JSON.parse(text); } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); fix or remove it`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error(`${file}: not a JSON object; fix or remove it`);
  const d = doc as Record<string, unknown>;
  const auths = d.auths ?? {};
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) throw new Error(`${file}: "auths" is not an object`);
  for (const [k, v] of Object.entries(auths)) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${file}: auths["${k}"] is not an object`);
    for (const f of ['auth', 'identitytoken', 'registrytoken', 'username', 'password'] as const) {
      const x = (v as Record<string, unknown>)[f];
      if (x !== undefined && typeof x !== 'string') throw new Error(`${file}: auths["${k}"].${f} is not a string`);
    }
  }
  const credHelpers = d.credHelpers ?? {};
  if (typeof credHelpers !== 'object' || credHelpers === null || Array.isArray(credHelpers)
    || Object.values(credHelpers).some((v) => typeof v !== 'string')) throw new Error(`${file}: "credHelpers" is not an object of helper names`);
  if (d.credsStore !== undefined && typeof d.credsStore !== 'string') throw new Error(`${file}: "credsStore" is not a string`);
  return { file, doc: d, auths: auths as Record<string, AuthEntry>, credHelpers: credHelpers as Record<string, string>, credsStore: (d.credsStore as string) || undefined };
}

/**
 * The keys of `map` that stand for `registry` ("host", "https://host/v1/",
 * "http://host"), the exact spelling first. Keys scoped to one repository
 * (auth.json's "quay.io/org/repo") are left out: they are not the registry's.
 */
export function keysFor(map: Record<string, unknown>, registry: string, preferred: string): string[] {
  const keys = Object.keys(map).filter((k) => !isScopedKey(k) && registryOfKey(k) === registry);
  return keys.sort((a, b) => Number(b === preferred) - Number(a === preferred));
}

/** The helper named for `registry` in credHelpers, else the credsStore. */
export function helperFor(f: AuthFile, registry: string, preferred: string): string | undefined {
  const k = keysFor(f.credHelpers, registry, preferred)[0];
  return (k !== undefined && f.credHelpers[k]) || f.credsStore;
}

/** An entry's credentials, or undefined for an empty entry (Docker writes `{}` where a helper keeps the secret). */
export function decodeEntry(f: AuthFile, key: string): RegistryAuth | undefined {
  const e = f.auths[key];
  const out: RegistryAuth = {};
  if (e.auth) {
    const plain = Buffer.from(e.auth, 'base64').toString('utf8');
    // user names have no ':', passwords may: split at the first one
    const colon = plain.indexOf(':');
    if (colon < 0) throw new Error(`${f.file}: auths["${key}"].auth is not base64 of "user:password"`);
    out.username = plain.slice(0, colon);
    const password = plain.slice(colon + 1);
    if (password) out.password = password;
  } else if (e.username) {
    // the format of Docker before 1.7, still read by it
    out.username = e.username;
    if (e.password) out.password = e.password;
  }
  if (e.identitytoken) out.identitytoken = e.identitytoken;
  if (e.registrytoken) out.registrytoken = e.registrytoken;
  if (!out.password && !out.identitytoken && !out.registrytoken) return undefined;
  return out;
}

export function encodeEntry(auth: RegistryAuth): AuthEntry {
  const e: AuthEntry = {};
  if (auth.username !== undefined || auth.password !== undefined) e.auth = Buffer.from(`${auth.username ?? ''}:${auth.password ?? ''}`).toString('base64');
  if (auth.identitytoken) e.identitytoken = auth.identitytoken;
  if (auth.registrytoken) e.registrytoken = auth.registrytoken;
  return e;
}

/**
 * Writes `f.doc` with `f.auths` as its auths: a temp file and a rename, so a
 * reader never sees half a file; 0600, as it holds passwords. A symlinked
 * config.json (dotfile managers) stays a symlink: its target is written.
 */
export function writeAuthFile(f: AuthFile): void {
  let target = f.file;
  try { target = fs.realpathSync(f.file); } catch { /* not there yet */ }
  const dir = path.dirname(target);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const doc = { ...f.doc, auths: f.auths };
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.fchmodSync(fd, 0o600); // whatever the umask
      fs.writeSync(fd, JSON.stringify(doc, null, '\t') + '\n');
    } finally { fs.closeSync(fd); }
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`${f.file}: cannot write it: ${(e as Error).message}`);
  }
}
