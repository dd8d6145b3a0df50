// Prints a json-file log stream (from the helper's logs stream) to our
// stdout/stderr, entry by entry, as `docker logs` and attached `run` do.
import type { Readable } from 'stream';
import type { LogEntry } from '../protocol';

/** `write`: where the entries go instead of our stdout/stderr (a build's progress, VS Code's output). */
/** `since`/`until` (ms since the epoch): only the entries logged from / up to then (logs --since/--until). */
export function printLogStream(sock: Readable, opts: { timestamps?: boolean; since?: number; until?: number; write?: (text: string, stream: 'stdout' | 'stderr') => void } = {}): Promise<void> {
  return new Promise((resolve) => {
    let buf = '';
    const flush = (line: string) => {
      if (!line) return;
      let e: LogEntry;
      try { e = JSON.parse(line); } catch { return; }
      if (opts.since !== undefined || opts.until !== undefined) {
        const at = Date.parse(e.time);
        if ((opts.since !== undefined && at < opts.since) || (opts.until !== undefined && at > opts.until)) return;
      }
      const text = opts.timestamps ? `${e.time} ${e.log}` : e.log;
      if (opts.write) opts.write(text, e.stream);
      else (e.stream === 'stderr' ? process.stderr : process.stdout).write(text);
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
