// OCI lifecycle hooks: each runs with the container's state JSON on stdin,
// with its own args/env and timeout; a failure names the hook.
import * as fs from 'fs';
import * as path from 'path';
import { invalid, NscopeError } from '../errors';
import { native } from '../native';
import { signalName } from './signals';
import type { Hook, Hooks } from './spec';

/**
 * Runs `hooks` in order. A failure stops the rest and throws, except with
 * `warnOnly` (poststart, poststop: the OCI spec has the runtime log a warning
 * and go on with the remaining hooks and the lifecycle), where each failure
 * is written to stderr and the next hook runs.
 *
 * nscope-runtime is a one-shot process: each hook is spawned by the addon
 * and waited for with a blocking call, so a create with hooks (Docker's
 * prestart `libnetwork-setkey` among them) loads no `child_process`, `net`
 * or streams (~5 ms). Its state on stdin and its stderr go through files in
 * `dir` (the runtime's root): a hook that never reads cannot block us.
 */
export function runHooks(kind: string, hooks: Hook[] | undefined, state: unknown, dir: string, opts: { warnOnly?: boolean } = {}): void {
  for (const h of hooks ?? []) {
    try {
      runHookSync(kind, h, state, dir);
    } catch (e) {
      if (!opts.warnOnly) throw e;
      process.stderr.write(`warning: ${(e as Error).message}\n`);
    }
  }
}

const KINDS: (keyof Hooks)[] = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];
/** The longest timeout taken (a day): the spec only asks for one above zero. */
const MAX_TIMEOUT = 86400;

/**
 * The spec's rules for hooks, checked at create before anything runs (so a
 * bad poststop hook is refused up front, not found at delete): an absolute
 * path, strings for args and env, a timeout that is a whole number of
 * seconds above zero. A message names the hook by kind and index.
 */
export function checkHooks(hooks: Hooks | undefined): void {
  if (hooks === undefined) return;
  if (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks)) throw invalid('hooks: not an object');
  for (const kind of KINDS) {
    const list = hooks[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw invalid(`hooks.${kind}: not an array`);
    list.forEach((h, i) => {
      const at = `hooks.${kind}[${i}]`;
      if (typeof h !== 'object' || h === null) throw invalid(`${at}: not an object`);
      if (typeof h.path !== 'string' || !h.path.startsWith('/') || h.path.includes('\0')) throw invalid(`${at}.path: must be an absolute path`);
      for (const what of ['args', 'env'] as const) {
        const v = h[what];
        if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.includes('\0')))) throw invalid(`${at}.${what}: must be an array of strings`);
      }
      if (h.timeout !== undefined && (!Number.isInteger(h.timeout) || h.timeout < 1 || h.timeout > MAX_TIMEOUT)) throw invalid(`${at}.timeout: ${h.timeout} must be a whole number of seconds from 1 to ${MAX_TIMEOUT}`);
    });
  }
}

function runHookSync(kind: string, h: Hook, state: unknown, dir: string): void {
  const [argv0, ...args] = h.args?.length ? h.args : [h.path];
  const inFile = path.join(dir, `.hook-${process.pid}-in`);
  const errFile = path.join(dir, `.hook-${process.pid}-err`);
  fs.writeFileSync(inFile, JSON.stringify(state), { mode: 0o600 });
  const stdin = fs.openSync(inFile, 'r');
  const stderr = fs.openSync(errFile, 'w+', 0o600);
  try {
    let child: { pid: number };
    try {
      child = native().spawnShim(h.path, args, [stdin, 'null', stderr], h.env ?? [], argv0);
    } catch (e) {
      throw new NscopeError('failed', `${kind} hook ${h.path}: ${(e as Error).message}`);
    }
    let st = native().waitExit(child.pid, h.timeout ? h.timeout * 1000 : -1);
    if (!st) {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* ended just now */ }
      st = native().waitExit(child.pid, -1)!;
    }
    if (st.code === 0) return;
    const buf = Buffer.alloc(4096);
    const err = buf.toString('utf8', 0, fs.readSync(stderr, buf, 0, buf.length, 0));
    const sig = st.signal ? signalName(st.signal) : undefined;
    throw new NscopeError('failed', hookFailure(kind, h, st.code, sig, err));
  } finally {
    fs.closeSync(stdin);
    fs.closeSync(stderr);
    fs.rmSync(inFile, { force: true });
    fs.rmSync(errFile, { force: true });
  }
}

/** A hook with a timeout that was killed is taken to have timed out (we only ever send KILL at the timeout). */
function hookFailure(kind: string, h: Hook, code: number | null, sig: string | undefined, err: string): string {
  return `${kind} hook ${h.path} failed: ${sig ? `killed by ${sig}${h.timeout ? ' (timeout)' : ''}` : `exit status ${code}`}${err ? `: ${err.trim()}` : ''}`;
}
