// `nscope exec [-i] [-t] ...` and `nscope run -it`: a process's streams on
// this terminal, like `docker exec -it`: raw mode, window size at start and
// on resize, and the process's exit code as ours.
import type { Socket } from 'net';
import { FRAME_HEADER, FRAME_STDERR, type ExecOptions } from '../protocol';
import type { HelperClient } from '../protocol/client';
import { openStreamWithResult } from '../protocol/client';
import { detachScanner } from './detach-keys';

/** Demultiplexes Docker-style frames into stdout/stderr. */
export function deframe(onFrame: (stream: number, data: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= FRAME_HEADER) {
      const size = buf.readUInt32BE(4);
      if (buf.length < FRAME_HEADER + size) break;
      onFrame(buf[0], buf.subarray(FRAME_HEADER, FRAME_HEADER + size));
      buf = buf.subarray(FRAME_HEADER + size);
    }
  };
}

/**
 * `detachKeys`: the sequence (./detach-keys.ts) that lets go of the stream
 * without ending it; on a console only (tty and interactive): without a tty,
 * leaving would end the container's stdin.
 */
export interface TerminalOptions {
  tty: boolean; interactive: boolean; resize?: (rows: number, cols: number) => void; detachKeys?: number[];
  /** run -a's output streams (absent: both); a console's output is stdout */
  streams?: Set<string>;
}

/**
 * This terminal's size, or undefined when there is none to give: stdout is
 * not a terminal, or the terminal reports 0x0 (a pty nobody sized: a serial
 * console, `script` or an IDE without a window size). Docker sends no size
 * then and the container's console keeps its default, 24x80.
 */
export function terminalSize(): { rows: number; cols: number } | undefined {
  const { rows, columns } = process.stdout;
  return process.stdout.isTTY && rows > 0 && columns > 0 ? { rows, cols: columns } : undefined;
}

/** Fails early, as Docker does, when -it is asked for without a terminal. */
export function checkTerminal(o: { tty?: boolean; interactive?: boolean }): void {
  if (o.tty && o.interactive && !process.stdin.isTTY) throw new Error('the input device is not a TTY');
}

/** This terminal <-> a stream; resolves when the helper closes it, or (`detached`) when the user typed the detach keys. */
export async function pumpTerminal(sock: Socket, o: TerminalOptions): Promise<{ detached: boolean }> {
  let detached = false;
  const restore: (() => void)[] = [];
  if (o.tty && o.interactive && process.stdin.isTTY) {
    process.stdin.setRawMode(true);
    restore.push(() => process.stdin.setRawMode(false));
  }
  if (o.tty && process.stdout.isTTY && o.resize) {
    const onResize = () => {
      const size = terminalSize();
      if (size) o.resize!(size.rows, size.cols);
    };
    process.stdout.on('resize', onResize);
    restore.push(() => process.stdout.off('resize', onResize));
  }
  try {
    await new Promise<void>((resolve) => {
      const scan = o.detachKeys && o.tty && o.interactive ? detachScanner(o.detachKeys) : undefined;
      const shown = (which: 'stdout' | 'stderr') => !o.streams || o.streams.has(which);
      const write = o.tty ? (d: Buffer) => { if (shown('stdout')) process.stdout.write(d); }
        : deframe((s, d) => { const which = s === FRAME_STDERR ? 'stderr' : 'stdout'; if (shown(which)) process[which].write(d); });
      sock.on('data', write);
      sock.on('end', () => resolve());
      sock.on('close', () => resolve());
      sock.on('error', () => resolve());
      sock.resume();
      if (o.interactive) {
        process.stdin.on('data', (d: Buffer) => {
          if (detached) return;
          if (!scan) { sock.write(d); return; }
          const { forward, detach } = scan(d);
          if (forward.length) sock.write(forward);
          // destroyed, not ended: an end would be the console's EOF
          if (detach) { detached = true; sock.destroy(); resolve(); }
        });
        process.stdin.on('end', () => sock.end());
        process.stdin.resume();
      } else {
        sock.end();
      }
    });
  } finally {
    for (const r of restore) r();
    process.stdin.pause();
  }
  return { detached };
}

/** An exec'd process on this terminal; typed `detachKeys` (with -it) let go of it, running on. */
export async function execAttached(socket: string, client: HelperClient, opts: ExecOptions, detachKeys?: number[]): Promise<number> {
  checkTerminal(opts);
  if (opts.tty) Object.assign(opts, terminalSize());
  const { sock, result } = await openStreamWithResult(socket, { kind: 'exec', ...opts });
  const execId = result.execId!;
  const pumped = await pumpTerminal(sock, {
    tty: !!opts.tty, interactive: !!opts.interactive, detachKeys,
    resize: (rows, cols) => { void client.request('exec.resize', { execId, rows, cols }).catch(() => undefined); },
  });
  if (pumped.detached) return 0;
  const st = await client.request('exec.wait', { execId });
  if (st.error) process.stderr.write(`nscope: ${st.error}\n`);
  return st.exitCode ?? 255;
}
