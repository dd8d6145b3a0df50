// runc exec: a process joining a created or running container, from
// nscope-runtime, on the daemon's exec plan and `nscope-shim exec` (see
// exec.ts). What differs is stdio: the caller's own fds (the engine's pipes
// or fifos, and --preserve-fds ones) reach the process, or with a tty the pty
// master goes to --console-socket; and --detach leaves the process to the
// caller's subreaper (containerd's shim and conmon are subreapers): the shim
// exits once the process runs, so nothing of nscope stays behind.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { detectCgroups } from '../cgroups/detect';
import { conflict, invalid, NscopeError } from '../errors';
import { writeFileAtomic } from '../lib/atomic';
import { native, shimPath } from '../native';
import { readStatusLine } from './exec';
import { finalEnv } from './oci-exec-process';
import { preservedFds } from './preserve-fds';
import type { OciRuntime } from './oci-runtime';
import { buildExecPlan } from './plan';
import { collectShim } from './shim-reap';
import type { Process } from './spec';

export interface ExecRequest {
  process: Process;
  detach?: boolean;
  pidFile?: string;
  consoleSocket?: string;
  /** fds 3..3+N-1 of this process go to the new one */
  preserveFds?: number;
  ignorePaused?: boolean;
  /** a tty in the foreground without a console socket: the caller's terminal size, relayed by the shim */
  size?: { rows: number; cols: number };
}

export interface ExecExit { exitCode: number; signal: number; error?: string }

export interface RunningExec {
  pid: number;
  /** the process's end (never resolves for a detached one: it is not ours to wait for) */
  ended: Promise<ExecExit>;
  signal(n: number): void;
  resize(rows: number, cols: number): void;
}

export async function ociExec(rt: OciRuntime, id: string, r: ExecRequest): Promise<RunningExec> {
  const { state: s, status, seccompCacheDir } = rt.live(id);
  // runc's rules and messages
  if (status === 'stopped' || status === 'creating') throw conflict(`cannot exec in a ${status} container`);
  if (status === 'paused' && !r.ignorePaused) throw conflict('cannot exec in a paused container (use --ignore-paused to override)');
  const tty = !!r.process.terminal;
  if (tty && r.detach && !r.consoleSocket) throw invalid('cannot allocate tty if nscope-runtime will detach without setting console socket (--console-socket)');
  if (!tty && r.consoleSocket) throw invalid('cannot use console socket if nscope-runtime will not allocate tty (process.terminal is false)');
  const extra = preservedFds(r.preserveFds);
  const preserve = extra.length;
  const spec = rt.containerSpec(id);
  const proc: Process = { ...r.process, env: finalEnv(r.process, s.pid) };
  const size = r.process.consoleSize ? { rows: r.process.consoleSize.height, cols: r.process.consoleSize.width } : (r.size ?? { rows: 0, cols: 0 });
  const plan = buildExecPlan({
    pid: s.pid, process: proc, cgroupProcs: detectCgroups().open(s.cgroupRel).joinFiles(),
    // stdin is the caller's (not /dev/null); with a tty and no console socket the shim relays it
    interactive: true,
    seccomp: spec.linux?.seccomp, seccompCacheDir,
    tty: tty ? size : undefined,
    consoleSocket: r.consoleSocket && path.resolve(r.consoleSocket),
    detach: r.detach, preserveFds: preserve,
  });
  const planFile = path.join(os.tmpdir(), `nscope-runtime-exec-${crypto.randomBytes(8).toString('hex')}`);
  fs.writeFileSync(planFile, plan, { mode: 0o600 });
  let spawned: { pid: number; fds: number[] };
  let statusPipe: net.Socket;
  let first: string;
  try {
    // the shim's fds: the caller's stdio, status, control, then the preserved ones from 5 on
    spawned = native().spawnShim(shimPath(), ['exec', planFile], ['inherit', 'inherit', 'inherit', 'out', 'in', ...extra]);
    statusPipe = new net.Socket({ fd: spawned.fds[3], readable: true, writable: false });
    first = await readStatusLine(statusPipe);
  } finally {
    fs.rmSync(planFile, { force: true });
  }
  const control = new net.Socket({ fd: spawned.fds[4], readable: false, writable: true });
  if (!first.startsWith('ok ')) {
    statusPipe.destroy();
    control.destroy();
    collectShim(spawned.pid);
    throw new NscopeError('failed', first.replace(/^error /, '') || 'exec: nscope-shim exited without a status');
  }
  const pid = Number(first.split(' ')[1]);
  if (r.pidFile) writeFileAtomic(path.resolve(r.pidFile), String(pid));
  if (r.detach) {
    statusPipe.destroy();
    control.destroy();
    collectShim(spawned.pid);
    return { pid, ended: new Promise(() => undefined), signal: () => undefined, resize: () => undefined };
  }
  const ended = new Promise<ExecExit>((resolve) => {
    let buf = '';
    statusPipe.setEncoding('utf8');
    statusPipe.on('data', (d: string) => { buf += d; });
    statusPipe.on('error', () => undefined);
    statusPipe.resume();
    // the status pipe is the shim's alone: its end means the process has ended and the shim reported it
    statusPipe.once('close', () => {
      collectShim(spawned.pid);
      control.destroy();
      const exit: ExecExit = { exitCode: 255, signal: 0 };
      for (const l of buf.split('\n')) {
        if (l.startsWith('execerror ')) exit.error = l.slice(10);
        const m = /^exit (\d+) (\d+)$/.exec(l);
        if (m) { exit.exitCode = Number(m[1]); exit.signal = Number(m[2]); }
      }
      resolve(exit);
    });
  });
  control.on('error', () => undefined);
  const send = (line: string) => { if (!control.destroyed) control.write(line); };
  return {
    pid, ended,
    signal: (n) => send(`k ${n}\n`),
    resize: (rows, cols) => send(`r ${rows} ${cols}\n`),
  };
}
