// Prints a json-file log stream (from the helper's logs stream) to our
// stdout/stderr, entry by entry, as `docker logs` and attached `run` do.
import type { Readable } from 'stream';
import type { LogEntry } from '../protocol';

export function printLogStream(sock: Readable, opts: { timestamps?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    let buf = '';
    const flush = (line: string) => {
      if (!line) return;
      let e: LogEntry;
      try { e = JSON.parse(line); } catch { return; }
      const text = opts.timestamps ? `${e.time} ${e.log}` : e.log;
      (e.stream === 'stderr' ? process.stderr : process.stdout).write(text);
    };
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) { flush(buf.slice(0, i)); buf = buf.slice(i + 1); }
    });
    sock.on('end', () => { flush(buf); resolve(); });
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
    sock.resume();
  });
}
