// Newline-delimited JSON on a stream socket: one message per line, with a
// bound on the line length so a hostile peer cannot make us buffer forever,
// and one on what every connection's unfinished lines hold together, so many
// peers each just under the first cannot add up to the host's memory.
// Works on bytes, so a connection can switch to a raw stream mid-way.
import type { Socket } from 'net';

export const MAX_LINE = 16 * 1024 * 1024;
export const MAX_BUFFERED = 256 * 1024 * 1024;

/** The bytes of unfinished lines the readers sharing it hold, and their bound. */
export class LineBudget {
  used = 0;
  constructor(readonly max = MAX_BUFFERED) {}
}

/** Why a reader stopped taking input: its line is too long, or every connection's together are too much. */
export type Overflow = 'line' | 'total';

export class LineReader {
  /** the bytes of the line begun, as they came: joined once, when its newline comes (not on every chunk) */
  private parts: Buffer[] = [];
  private size = 0;
  /** the chunk being split, and where in it the next line starts: what stop() hands over when a line's handler stops */
  private chunk?: Buffer;
  private pos = 0;
  private stopped = false;
  constructor(private readonly onLine: (line: string) => void, private readonly onOverflow: (why: Overflow) => void, private readonly budget = new LineBudget()) {}

  /** Forgets the line begun, giving its bytes back to the budget. */
  private drop(): void {
    this.budget.used -= this.size;
    this.parts = [];
    this.size = 0;
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.chunk = chunk;
    this.pos = 0;
    for (let i: number; (i = chunk.indexOf(0x0a, this.pos)) >= 0;) {
      const piece = chunk.subarray(this.pos, i);
      const line = (this.parts.length ? Buffer.concat([...this.parts, piece]) : piece).toString('utf8');
      this.drop();
      this.pos = i + 1;
      if (line.trim()) this.onLine(line);
      if (this.stopped) return; // the handler switched the connection to a raw stream: stop() took the rest
    }
    const rest = chunk.subarray(this.pos);
    this.chunk = undefined;
    if (rest.length) { this.parts.push(rest); this.size += rest.length; this.budget.used += rest.length; }
    const why: Overflow | undefined = this.size > MAX_LINE ? 'line' : this.budget.used > this.budget.max ? 'total' : undefined;
    if (why) { this.stopped = true; this.drop(); this.onOverflow(why); }
  }

  /** The connection is gone: what it had begun is given back. */
  dispose(): void {
    this.stopped = true;
    this.drop();
    this.chunk = undefined;
  }

  /** Stops parsing; returns the bytes received after the last line (the start of a raw stream). */
  stop(): Buffer {
    this.stopped = true;
    const tail = this.chunk ? this.chunk.subarray(this.pos) : Buffer.alloc(0);
    const rest = this.parts.length ? Buffer.concat([...this.parts, tail]) : tail;
    this.drop();
    this.chunk = undefined;
    return rest;
  }
}

export function sendLine(sock: Socket, msg: unknown): void {
  if (!sock.destroyed && sock.writable) sock.write(JSON.stringify(msg) + '\n');
}
