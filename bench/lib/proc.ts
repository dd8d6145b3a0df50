// Processes for the benchmarks: one timed run, and a client for the timer
// loop (bench/timer.ts --serve) running in some namespace.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';

export interface TimedRun { ms: number; code: number | null; signal: string | null; stderr: string }

export function timeOnce(argv: string[]): Promise<TimedRun> {
  return new Promise((resolve) => {
    let stderr = '';
    let ms = 0;
    let code: number | null = null;
    let signal: string | null = null;
    let pending = 2;
    const done = () => { if (--pending === 0) resolve({ ms, code, signal, stderr: stderr.slice(0, 4000) }); };
    const t0 = process.hrtime.bigint();
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    p.on('exit', (c, s) => { ms = Number(process.hrtime.bigint() - t0) / 1e6; code = c; signal = s; done(); });
    p.on('error', (e) => { ms = Number(process.hrtime.bigint() - t0) / 1e6; code = -1; stderr += String(e.message); pending = 1; done(); });
    p.stderr!.setEncoding('utf8');
    p.stderr!.on('data', (d: string) => { stderr += d; });
    p.stderr!.on('close', done);
  });
}

/**
 * Like timeOnce, for a command whose children keep its stdio (e.g. an OCI
 * runtime's `create`: the container's init inherits it and waits for `start`):
 * stdout and stderr go to `logFile`, and the time is spawn → the command's own
 * exit. SIGKILL after `timeoutMs`.
 */
export function timeDetached(argv: string[], logFile: string, timeoutMs = 30000): Promise<TimedRun> {
  return new Promise((resolve) => {
    const fd = fs.openSync(logFile, 'w');
    const t0 = process.hrtime.bigint();
    const p = spawn(argv[0], argv.slice(1), { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    const end = (code: number | null, signal: string | null, err = '') => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(t);
      let stderr = err;
      try { stderr += fs.readFileSync(logFile, 'utf8').slice(0, 4000); } catch { /* none */ }
      resolve({ ms, code, signal, stderr });
    };
    p.on('exit', (c, s) => end(c, s));
    p.on('error', (e) => end(-1, null, e.message));
  });
}

/** A timer loop (bench/timer.ts --serve) in its own process, maybe in other namespaces. */
export class TimerClient {
  private buf = '';
  private readonly queue: ((line: string | null) => void)[] = [];
  private stderr = '';
  private exited = false;

  private constructor(readonly name: string, private readonly proc: ChildProcess) {
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.queue.shift()?.(line);
      }
    });
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => { this.stderr += d; });
    proc.on('exit', () => { this.exited = true; for (const q of this.queue.splice(0)) q(null); });
  }

  private next(): Promise<string | null> {
    if (this.exited) return Promise.resolve(null);
    return new Promise((r) => this.queue.push(r));
  }

  /** Starts `argv` (which must exec the timer in --serve mode) and waits for its ready line. */
  static async start(name: string, argv: string[]): Promise<TimerClient> {
    // own process group (see BenchDaemon); it exits when its stdin closes
    const p = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const c = new TimerClient(name, p);
    const first = await c.next();
    if (!first || !first.includes('"ready"')) {
      await new Promise((r) => setTimeout(r, 50));
      throw new Error(`${name}: timer loop did not start: ${c.stderr.trim() || first || 'exited'}`);
    }
    return c;
  }

  async run(argv: string[]): Promise<TimedRun> {
    const answer = this.next();
    this.proc.stdin!.write(JSON.stringify({ argv }) + '\n');
    const line = await answer;
    if (line === null) throw new Error(`${this.name}: timer loop exited: ${this.stderr.trim()}`);
    return JSON.parse(line) as TimedRun;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.proc.once('exit', r));
    this.proc.stdin!.end();
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }
}

/** Runs a command to completion and returns its output (for set-up, not timed). */
export function runCmd(argv: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let p: ChildProcess;
    try { p = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] }); } catch (e) { resolve({ code: -1, stdout, stderr: String(e) }); return; }
    p.stdout!.on('data', (d) => { stdout += d; });
    p.stderr!.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 60000);
    p.on('error', (e) => { clearTimeout(t); resolve({ code: -1, stdout, stderr: stderr + e.message }); });
    p.on('close', (code) => { clearTimeout(t); resolve({ code: code ?? -1, stdout, stderr }); });
    p.stdin!.on('error', () => { /* it did not read its input */ });
    p.stdin!.end(opts.input ?? '');
  });
}
