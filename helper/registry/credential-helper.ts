// Docker's credential-helper protocol: `docker-credential-NAME get|store|erase`,
// the server URL (get, erase) or a JSON {ServerURL, Username, Secret} (store)
// on stdin, the JSON answer on stdout. A helper keeps secrets in a keychain
// (pass, secretservice, osxkeychain, ecr-login…) instead of config.json.
import { spawn } from 'child_process';

/** A helper that never answers (a keychain waiting for an unlock prompt nobody sees) must not hang `nscope pull`. */
export const HELPER_TIMEOUT_MS = 30_000;

export interface HelperCredentials { username: string; secret: string }

/** Thrown for "credentials not found": the helper knows nothing of this server, which is no error for a lookup. */
class NotFound extends Error {}

/** Docker's helpers say "credentials not found in native keychain"; others say a little less. */
const NOT_FOUND = /credentials not found/i;

interface Run { env: NodeJS.ProcessEnv; timeoutMs?: number }

export function helperProgram(name: string): string {
  // the name comes from a file: keep it a program name, not a path
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`credential helper "${name}": not a valid helper name`);
  return `docker-credential-${name}`;
}

/** The helper's credentials for `serverURL`, or undefined when it has none. */
export async function helperGet(name: string, serverURL: string, run: Run): Promise<HelperCredentials | undefined> {
  const prog = helperProgram(name);
  let out: string;
  try {
    out = await runHelper(name, 'get', serverURL, run, []);
  } catch (e) {
    if (e instanceof NotFound) return undefined;
    throw e;
  }
  let parsed: unknown;
  try { parsed = JSON.parse(out); } catch {
    // the output may hold a secret: it is not quoted
    throw new Error(`${prog} get: its answer is not JSON`);
  }
  const p = parsed as { Username?: unknown; Secret?: unknown };
  if (typeof p !== 'object' || p === null || typeof p.Secret !== 'string' || (p.Username !== undefined && typeof p.Username !== 'string')) {
    throw new Error(`${prog} get: its answer has no Username/Secret strings`);
  }
  return { username: (p.Username as string | undefined) ?? '', secret: p.Secret };
}

export async function helperStore(name: string, serverURL: string, creds: HelperCredentials, run: Run): Promise<void> {
  const input = JSON.stringify({ ServerURL: serverURL, Username: creds.username, Secret: creds.secret });
  await runHelper(name, 'store', input, run, [creds.secret]);
}

/** True when the helper had something to erase. */
export async function helperErase(name: string, serverURL: string, run: Run): Promise<boolean> {
  try {
    await runHelper(name, 'erase', serverURL, run, []);
    return true;
  } catch (e) {
    if (e instanceof NotFound) return false;
    throw e;
  }
}

/** Runs the helper (looked up in run.env.PATH); its stdout, or an error naming it and saying what it said, secrets masked. */
function runHelper(name: string, verb: 'get' | 'store' | 'erase', input: string, run: Run, secrets: string[]): Promise<string> {
  const prog = helperProgram(name);
  const timeoutMs = run.timeoutMs ?? HELPER_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    // with `env` given, spawn looks the program up in env.PATH
    const p = spawn(prog, [verb], { env: run.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    p.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    p.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    // On time-out, answer at once: a helper's own children (a script's `sleep`,
    // a gpg agent) may hold its stdout open long after it was killed.
    const timer = setTimeout(() => {
      timedOut = true;
      p.kill('SIGKILL');
      p.stdout.destroy();
      p.stderr.destroy();
      reject(new Error(`${prog} ${verb}: no answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    p.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT'
        ? `credential helper ${prog} is configured but not found in PATH`
        : `${prog} ${verb}: ${e.message}`));
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return;
      if (code === 0) { resolve(stdout); return; }
      // helpers report errors on stdout (Docker's helpers do) or stderr
      const said = (stdout.trim() || stderr.trim()).split('\n')[0] ?? '';
      if (NOT_FOUND.test(said)) { reject(new NotFound(said)); return; }
      const why = signal ? `killed by ${signal}` : `exit status ${code}`;
      reject(new Error(`${prog} ${verb} failed (${why})${said ? `: ${mask(said, secrets).slice(0, 300)}` : ''}`));
    });
    p.stdin.on('error', () => { /* it exited without reading: its exit status says why */ });
    p.stdin.end(input);
  });
}

function mask(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('***');
  return out;
}
