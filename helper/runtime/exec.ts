// Processes started in running containers (docker exec): each runs under an
// `nscope-shim exec` that joins the container's namespaces and cgroup, with
// the container's user, capabilities and no_new_privs, optionally on a pty.
import * as crypto from 'crypto';
import * as net from 'net';
import type { Readable } from 'stream';
import { conflict, invalid, notFound, NscopeError } from '../errors';
import { native, shimPath } from '../native';
import type { ExecOptions, ExecStatus } from '../protocol/types';
import { ALL_CAPS } from './capabilities';
import { buildExecPlan } from './plan';
import { collectShim } from './shim-reap';
import { resolveUser } from './options';
import { withHome } from './user';
import { readLayeredFile } from '../rootfs/lookup';
import { signalNumber } from './signals';
import { ttyDimension, ttyResize } from './tty-size';
import type { Spec } from './spec';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface ExecTarget {
  containerId: string;
  pid: number;
  spec: Spec;
  cgroupProcs: string[];
  /** bottom to top, for user lookups */
  layers: string[];
  seccompCacheDir?: string;
}

export interface ExecSession {
  execId: string;
  /** the shim's fds 0-4 (our ends): stdin, stdout, stderr, status, control */
  stdio: net.Socket[];
  tty: boolean;
  interactive: boolean;
  status: ExecStatus;
  /** resolves when the process has ended (status filled in) */
  ended: Promise<ExecStatus>;
}

const MAX_SESSIONS_DONE = 256;

export class ExecSessions {
  private readonly sessions = new Map<string, ExecSession>();

  get(execId: string): ExecSession {
    const s = typeof execId === 'string' ? this.sessions.get(execId) : undefined;
    if (!s) throw notFound(`No such exec instance: ${String(execId).slice(0, 80)}`);
    return s;
  }

  async start(t: ExecTarget, o: ExecOptions): Promise<ExecSession> {
    if (!Array.isArray(o.cmd) || o.cmd.length === 0 || o.cmd.some((a) => typeof a !== 'string')) throw invalid('exec: no command given');
    for (const k of ['user', 'workdir'] as const) if (o[k] !== undefined && typeof o[k] !== 'string') throw invalid(`exec: "${k}" must be a string`);
    for (const k of ['tty', 'interactive', 'privileged'] as const) if (o[k] !== undefined && typeof o[k] !== 'boolean') throw invalid(`exec: "${k}" must be a boolean`);
    if (o.env !== undefined && !Array.isArray(o.env)) throw invalid('exec: "env" must be a list of KEY=VALUE');
    const proc = structuredClone(t.spec.process);
    proc.args = o.cmd;
    proc.terminal = !!o.tty;
    if (o.privileged) proc.capabilities = { bounding: [...ALL_CAPS], effective: [...ALL_CAPS], permitted: [...ALL_CAPS], inheritable: [], ambient: [] };
    if (o.user) proc.user = resolveUser(o.user, t.layers);
    if (o.workdir !== undefined) {
      if (!o.workdir.startsWith('/')) throw invalid(`--workdir: "${o.workdir}" must be an absolute path`);
      proc.cwd = o.workdir;
    }
    for (const e of o.env ?? []) if (typeof e !== 'string' || !/^[^=\0]+=/.test(e)) throw invalid(`-e: "${String(e).slice(0, 64)}" is not KEY=VALUE`);
    const env = new Map((proc.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e]));
    for (const e of o.env ?? []) env.set(e.slice(0, e.indexOf('=')), e);
    if (o.tty && !env.has('TERM')) env.set('TERM', 'TERM=xterm');
    // HOME as runc gives an exec'd process, from the container's passwd
    proc.env = withHome([...env.values()], proc.user?.uid ?? 0, readLayeredFile(t.layers, 'etc/passwd'));
    const size = (v: number | undefined, what: 'rows' | 'cols') => ttyDimension(v, what, 'exec') ?? (what === 'rows' ? 24 : 80);
    const plan = buildExecPlan({
      pid: t.pid, process: proc, cgroupProcs: t.cgroupProcs, interactive: !!o.interactive, seccomp: t.spec.linux?.seccomp, seccompCacheDir: t.seccompCacheDir,
      tty: o.tty ? { rows: size(o.rows, 'rows'), cols: size(o.cols, 'cols') } : undefined,
    });
    const execId = crypto.randomBytes(16).toString('hex');
    // The plan goes through a pipe-backed file so nothing is left on disk.
    const planFile = path.join(os.tmpdir(), `nscope-exec-${execId}`);
    fs.writeFileSync(planFile, plan, { mode: 0o600 });
    let stdio: net.Socket[] | undefined;
    try {
      const { pid: shimPid, fds } = native().spawnShim(shimPath(), ['exec', planFile], ['in', 'out', 'out', 'out', 'in']);
      stdio = fds.map((fd, i) => new net.Socket({ fd, readable: i !== 0 && i !== 4, writable: i === 0 || i === 4 }));
      // a kill or resize written as the shim exits fails with EPIPE: an error event with no listener
      // would end the daemon; whoever pipes these streams still gets their errors
      for (const io of stdio) io.on('error', () => undefined);
      const first = await readStatusLine(stdio[3]);
      if (!first.startsWith('ok ')) {
        for (const io of stdio) io.destroy();
        collectShim(shimPid);
        throw new NscopeError(/not found in \$PATH|No such file/.test(first) && !/chdir to cwd/.test(first) ? 'not_found' : 'failed', first.replace(/^error /, '') || 'exec: the helper process died');
      }
      const io = stdio;
      const status: ExecStatus = { execId, containerId: t.containerId, running: true, pid: Number(first.split(' ')[1]) };
      const ended = new Promise<ExecStatus>((resolve) => {
        const lines: string[] = [];
        const statusStream = io[3];
        readLines(statusStream, (l) => lines.push(l));
        statusStream.resume();
        // the status pipe is the shim's alone: its end means the shim has reported and gone
        statusStream.once('end', () => {
          collectShim(shimPid);
          for (const l of lines) {
            if (l.startsWith('execerror ')) status.error = l.slice(10);
            if (l.startsWith('exit ')) status.exitCode = Number(l.split(' ')[1]);
          }
          status.exitCode ??= 255;
          status.running = false;
          // the writable pipes (stdin, control) are ours to close, or each exec leaks two fds
          for (const i of [0, 3, 4]) io[i].destroy();
          this.prune();
          resolve(status);
        });
      });
      const s: ExecSession = { execId, stdio: io, tty: !!o.tty, interactive: !!o.interactive, status, ended };
      this.sessions.set(execId, s);
      return s;
    } finally {
      fs.rmSync(planFile, { force: true });
    }
  }

  resize(execId: string, rows: number, cols: number): void {
    const s = this.get(execId);
    if (!s.tty) throw conflict('exec: resize needs a tty');
    const size = ttyResize(rows, cols, 'exec resize');
    if (size && s.status.running) s.stdio[4].write(`r ${size.rows} ${size.cols}\n`);
  }

  kill(execId: string, signal: string | number = 'SIGKILL'): void {
    const s = this.get(execId);
    const n = signalNumber(signal);
    if (s.status.running) s.stdio[4].write(`k ${n}\n`);
  }

  /** An ended exec the helper ran for itself (a health probe): nothing will ask for it. */
  forget(execId: string): void {
    if (this.sessions.get(execId)?.status.running === false) this.sessions.delete(execId);
  }

  /** Keep the status of ended execs for a while (exec.inspect after the stream closed). */
  private prune() {
    const done = [...this.sessions.values()].filter((s) => !s.status.running);
    for (const s of done.slice(0, Math.max(0, done.length - MAX_SESSIONS_DONE))) this.sessions.delete(s.execId);
  }
}

function readLines(stream: NodeJS.ReadableStream, onLine: (l: string) => void) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { onLine(buf.slice(0, i)); buf = buf.slice(i + 1); }
  });
  stream.on('error', () => undefined);
}

/** The first status line of a shim ("ok PID …" or "error …"); what follows stays in the stream. */
export function readStatusLine(s: Readable): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const i = buf.indexOf('\n');
      if (i >= 0) {
        s.removeListener('data', onData);
        s.pause();
        const rest = buf.slice(i + 1);
        if (rest) s.unshift(Buffer.from(rest));
        resolve(buf.slice(0, i));
      }
    };
    s.on('data', onData);
    s.once('end', () => resolve(buf));
    s.once('error', (e) => resolve(`error ${e.message}`));
  });
}
