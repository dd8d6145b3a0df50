// Newline-delimited JSON on a stream socket: one message per line, with a
// bound on the line length so a hostile peer cannot make us buffer forever.
import type { Socket } from 'net';

export const MAX_LINE = 16 * 1024 * 1024;

export class LineReader {
  private buf = '';
  private stopped = false;
  constructor(private readonly onLine: (line: string) => void, private readonly onOverflow: () => void) {}

  push(chunk: string): void {
    if (this.stopped) return;
    this.buf += chunk;
    let i: number;
    while (!this.stopped && (i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 1);
      if (line.trim()) this.onLine(line);
    }
    if (this.buf.length > MAX_LINE) { this.stopped = true; this.onOverflow(); }
  }

  /** Stops parsing; returns what was received after the last line (raw bytes that follow). */
  stop(): string { this.stopped = true; const rest = this.buf; this.buf = ''; return rest; }
}

export function sendLine(sock: Socket, msg: unknown): void {
  if (!sock.destroyed && sock.writable) sock.write(JSON.stringify(msg) + '\n');
}
