// Reading a container's json-file log: whole, the last N entries, or
// following it as the shim appends until the container has exited. With
// --log-opt max-size the shim rotates it (log -> log.1 -> … -> log.N-1, or a
// truncation with max-file 1): the rotated files are read first, oldest
// first, and a follower that finds its file renamed or cut starts on the new one.
import * as fs from 'fs';
import * as path from 'path';
import type { LogEntry } from '../protocol/types';

export function parseLogLines(text: string): LogEntry[] {
  const out: LogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try { out.push(JSON.parse(line) as LogEntry); } catch { /* a torn last line */ }
  }
  return out;
}

/** The rotated files of `file`, oldest first (log.N … log.1). */
export function rotatedFiles(file: string): string[] {
  const base = path.basename(file);
  let names: string[] = [];
  try { names = fs.readdirSync(path.dirname(file)); } catch { return []; }
  return names
    .map((n) => (n.startsWith(`${base}.`) && /^\d{1,3}$/.test(n.slice(base.length + 1)) ? Number(n.slice(base.length + 1)) : 0))
    .filter((i) => i > 0)
    .sort((a, b) => b - a)
    .map((i) => `${file}.${i}`);
}

const readOr = (f: string): Buffer => { try { return fs.readFileSync(f); } catch { return Buffer.alloc(0); } };

export function readLog(file: string, tail?: number): LogEntry[] {
  const all = parseLogLines([...rotatedFiles(file), file].map((f) => readOr(f).toString('utf8')).join(''));
  return tail !== undefined && tail >= 0 ? all.slice(Math.max(0, all.length - tail)) : all;
}

/** Where the last `n` lines of `b` begin (0: it has no more than n). */
function lastLinesAt(b: Buffer, n: number): number {
  let pos = b.length;
  if (pos > 0 && b[pos - 1] === 0x0a) pos--;
  for (let k = 0; k < n; k++) {
    const i = b.lastIndexOf(0x0a, pos - 1);
    if (i < 0) return 0;
    pos = i;
  }
  return pos === 0 ? 0 : pos + 1;
}

const lineCount = (b: Buffer) => { let n = 0; for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) n++; return n; };

/**
 * What comes before following: the rotated files' lines (all, or those the
 * tail still needs after the live file's) and the offset in the live file to
 * follow from.
 */
function history(file: string, tail: number | undefined): { before: Buffer[]; offset: number } {
  const rotated = rotatedFiles(file);
  if (tail === undefined) return { before: rotated.map(readOr), offset: 0 };
  const live = readOr(file);
  const offset = lastLinesAt(live, tail);
  let need = tail - lineCount(live.subarray(offset));
  const before: Buffer[] = [];
  for (const f of [...rotated].reverse()) {
    if (need <= 0) break;
    const b = readOr(f);
    const part = b.subarray(lastLinesAt(b, need));
    before.unshift(part);
    need -= lineCount(part);
  }
  return { before, offset };
}

/**
 * Copies the log (its last `tail` lines; `live`: only what comes from now
 * on) to `write`, then keeps copying what is appended until `done()` says the
 * writer has finished; resolves when all is copied.
 */
export async function followLog(file: string, tail: number | undefined, write: (b: Buffer) => boolean | void,
  done: () => boolean, closed: () => boolean, live = false): Promise<void> {
  let pos = 0;
  if (live) { try { pos = fs.statSync(file).size; } catch { /* not written yet */ } }
  else {
    const h = history(file, tail);
    for (const b of h.before) if (b.length) write(b);
    pos = h.offset;
  }
  const buf = Buffer.alloc(256 * 1024);
  let fd: number | null = null;
  let ino = -1;
  try {
    for (;;) {
      if (closed()) return;
      if (fd === null) { try { fd = fs.openSync(file, 'r'); ino = fs.fstatSync(fd).ino; } catch { fd = null; } }
      let n = 0;
      if (fd !== null) {
        n = fs.readSync(fd, buf, 0, buf.length, pos);
        if (n > 0) { pos += n; write(Buffer.from(buf.subarray(0, n))); continue; }
        // drained: a rotation renamed it (the shim writes on in a new file), or max-file 1 cut it
        let now: fs.Stats | undefined;
        try { now = fs.statSync(file); } catch { /* between rename and create */ }
        if (now && now.ino !== ino) { fs.closeSync(fd); fd = null; pos = 0; continue; }
        if (fs.fstatSync(fd).size < pos) { pos = 0; continue; }
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
