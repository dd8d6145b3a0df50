// Client side: the credentials a user keeps for registries, where the
// ecosystem keeps them — the containers' auth.json, Docker's config.json and
// the credential helpers those two name. Runs as the user (CLI, extension),
// never in the root helper, which is handed the result per request.
// Secrets never go into an error message or a log line.
import * as os from 'os';
import * as path from 'path';
import type { RegistryAuth } from '../protocol/types/registry';
import { decodeEntry, encodeEntry, helperFor, keysFor, readAuthFile, writeAuthFile, type AuthFile } from './auth-file';
import { helperErase, helperGet, helperProgram, helperStore } from './credential-helper';
import { credentialKey, normalizeRegistry } from './names';

export interface CredentialOptions {
  /** defaults to process.env: HOME, DOCKER_CONFIG, REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, PATH */
  env?: NodeJS.ProcessEnv;
  /** how long a credential helper may take (default 30 s) */
  helperTimeoutMs?: number;
}

/** Docker's convention: a helper answering with this user name holds an identity token as its secret. */
const TOKEN_USERNAME = '<token>';

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

/** `$REGISTRY_AUTH_FILE`, else `$XDG_RUNTIME_DIR/containers/auth.json` (podman's login writes there), else none. */
export function containersAuthFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  return env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : undefined;
}

/** The credentials stored for `registry` ("docker.io", "127.0.0.1:5000"), or undefined. */
export async function credentialsFor(registry: string, opts: CredentialOptions = {}): Promise<RegistryAuth | undefined> {
  const env = opts.env ?? process.env;
  const reg = normalizeRegistry(registry);
  const key = credentialKey(reg);
  for (const file of [containersAuthFile(env), dockerConfigFile(env)]) {
    if (!file) continue;
    const f = readAuthFile(file);
    if (!f) continue;
    const helper = helperFor(f, reg, key);
    if (helper) {
      const c = await helperGet(helper, key, { env, timeoutMs: opts.helperTimeoutMs });
      if (c && c.secret) return c.username === TOKEN_USERNAME ? { identitytoken: c.secret } : { username: c.username, password: c.secret };
    }
    // a helper that has nothing falls back to the file's own entries, as podman does
    for (const k of keysFor(f.auths, reg, key)) {
      const auth = decodeEntry(f, k);
      if (auth) return auth;
    }
  }
  return undefined;
}

/** Stores credentials after a successful login; returns where (a file path or "docker-credential-NAME"). */
export async function saveCredentials(registry: string, auth: RegistryAuth, opts: CredentialOptions = {}): Promise<{ where: string }> {
  const env = opts.env ?? process.env;
  const reg = normalizeRegistry(registry);
  const key = credentialKey(reg);
  const file = dockerConfigFile(env);
  // read first: a file that cannot be parsed is not overwritten
  const f: AuthFile = readAuthFile(file) ?? { file, doc: {}, auths: {}, credHelpers: {} };
  const helper = helperFor(f, reg, key);
  if (helper) {
    const creds = auth.identitytoken ? { username: TOKEN_USERNAME, secret: auth.identitytoken }
      : auth.password !== undefined ? { username: auth.username ?? '', secret: auth.password } : undefined;
    if (!creds) throw new Error(`${helperProgram(helper)} keeps a user name with a password or an identity token; a registry token cannot be stored there`);
    await helperStore(helper, key, creds, { env, timeoutMs: opts.helperTimeoutMs });
    // an older plain-text copy in the file would outlive the helper's: it goes
    if (keysFor(f.auths, reg, key).length) {
      for (const k of keysFor(f.auths, reg, key)) delete f.auths[k];
      writeAuthFile(f);
    }
    dropShadowing(env, reg, key, file);
    return { where: helperProgram(helper) };
  }
  // one entry per registry: other spellings of the same host would shadow or contradict it
  for (const k of keysFor(f.auths, reg, key)) delete f.auths[k];
  f.auths[key] = encodeEntry(auth);
  writeAuthFile(f);
  dropShadowing(env, reg, key, file);
  return { where: file };
}

/**
 * auth.json is read before config.json: an older entry there for this
 * registry (a podman login) would hide the one just saved, so it goes.
 */
function dropShadowing(env: NodeJS.ProcessEnv, reg: string, key: string, saved: string): void {
  const file = containersAuthFile(env);
  if (!file || file === saved) return;
  const f = readAuthFile(file);
  const keys = f ? keysFor(f.auths, reg, key) : [];
  if (!f || !keys.length) return;
  for (const k of keys) delete f.auths[k];
  writeAuthFile(f);
}

/** Forgets the credentials of `registry` everywhere they are kept; returns the places they were removed from. */
export async function removeCredentials(registry: string, opts: CredentialOptions = {}): Promise<{ removed: string[] }> {
  const env = opts.env ?? process.env;
  const reg = normalizeRegistry(registry);
  const key = credentialKey(reg);
  const removed: string[] = [];
  // read both before changing either: a damaged file stops the logout before it is half done
  const files = [...new Set([dockerConfigFile(env), containersAuthFile(env)])]
    .filter((x): x is string => !!x)
    .map((file) => readAuthFile(file))
    .filter((x): x is AuthFile => !!x);
  for (const f of files) {
    const helper = helperFor(f, reg, key);
    if (helper && !removed.includes(helperProgram(helper)) && await helperErase(helper, key, { env, timeoutMs: opts.helperTimeoutMs })) removed.push(helperProgram(helper));
    const keys = keysFor(f.auths, reg, key);
    if (!keys.length) continue;
    for (const k of keys) delete f.auths[k];
    writeAuthFile(f);
    removed.push(f.file);
  }
  return { removed };
}
