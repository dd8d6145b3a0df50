// Newline-delimited JSON on a stream socket: one message per line, with a
// bound on the line length so a hostile peer cannot make us buffer forever.
// Works on bytes, so a connection can switch to a raw stream mid-way.
import type { Socket } from 'net';

export const MAX_LINE = 16 * 1024 * 1024;

export class LineReader {
  private buf: Buffer = Buffer.alloc(0);
  private stopped = false;
  constructor(private readonly onLine: (line: string) => void, private readonly onOverflow: () => void) {}

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let i: number;
    while (!this.stopped && (i = this.buf.indexOf(0x0a)) >= 0) {
      const line = this.buf.subarray(0, i).toString('utf8');
      this.buf = this.buf.subarray(i + 1);
      if (line.trim()) this.onLine(line);
    }
    if (!this.stopped && this.buf.length > MAX_LINE) { this.stopped = true; this.onOverflow(); }
  }

  /** Stops parsing; returns the bytes received after the last line (the start of a raw stream). */
  stop(): Buffer { this.stopped = true; const rest = this.buf; this.buf = Buffer.alloc(0); return rest; }
}

export function sendLine(sock: Socket, msg: unknown): void {
  if (!sock.destroyed && sock.writable) sock.write(JSON.stringify(msg) + '\n');
}
