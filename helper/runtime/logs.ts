// Reading a container's json-file log: whole, the last N entries, or
// following it as the shim appends until the container has exited.
import * as fs from 'fs';
import type { LogEntry } from '../protocol/types';

export function parseLogLines(text: string): LogEntry[] {
  const out: LogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try { out.push(JSON.parse(line) as LogEntry); } catch { /* a torn last line */ }
  }
  return out;
}

export function readLog(file: string, tail?: number): LogEntry[] {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { return []; }
  const all = parseLogLines(text);
  return tail !== undefined && tail >= 0 ? all.slice(Math.max(0, all.length - tail)) : all;
}

/** Raw bytes of the log starting at the line that begins the last `tail` entries. */
export function tailOffset(file: string, tail?: number): number {
  if (tail === undefined || tail < 0) return 0;
  let text = '';
  try { text = fs.readFileSync(file, 'latin1'); } catch { return 0; }
  let pos = text.length;
  if (text.endsWith('\n')) pos--;
  for (let n = 0; n < tail && pos > 0; n++) {
    const i = text.lastIndexOf('\n', pos - 1);
    pos = i < 0 ? 0 : i;
    if (i < 0) break;
  }
  return pos === 0 ? 0 : pos + 1;
}

/**
 * Copies the log from `offset` to `write`, then keeps copying what is appended
 * until `done()` says the writer has finished; resolves when all is copied.
 */
export async function followLog(file: string, offset: number, write: (b: Buffer) => boolean | void,
  done: () => boolean, closed: () => boolean): Promise<void> {
  let pos = offset;
  const buf = Buffer.alloc(256 * 1024);
  let fd: number | null = null;
  try {
    for (;;) {
      if (closed()) return;
      if (fd === null) { try { fd = fs.openSync(file, 'r'); } catch { fd = null; } }
      let n = 0;
      if (fd !== null) {
        n = fs.readSync(fd, buf, 0, buf.length, pos);
        if (n > 0) { pos += n; write(Buffer.from(buf.subarray(0, n))); continue; }
      }
      // nothing new: finished if the writer is gone, else wait a little
      if (done()) {
        if (fd !== null && fs.fstatSync(fd).size > pos) continue;
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
