// Prints a json-file log stream (from the helper's logs stream) to our
// stdout/stderr, entry by entry, as `docker logs` and attached `run` do.
import type { Readable } from 'stream';
import type { LogEntry } from '../protocol';

/** Go's url.QueryEscape: only A-Z a-z 0-9 - _ . ~ kept, a space as '+'. */
function queryEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** What `logs --details` puts before each line, as Docker writes it: `k=v,k2=v2`, keys sorted, both sides query-escaped. */
export function formatAttrs(attrs: Record<string, string>): string {
  return Object.keys(attrs).sort().map((k) => `${queryEscape(k)}=${queryEscape(attrs[k])}`).join(',');
}

/** `write`: where the entries go instead of our stdout/stderr (a build's progress, VS Code's output). */
/** `since`/`until` (ms since the epoch): only the entries logged from / up to then (logs --since/--until). */
/** `details`: the line's attributes (formatAttrs), put with a space before each line (logs --details). */
export function printLogStream(sock: Readable, opts: { timestamps?: boolean; details?: string; since?: number; until?: number; write?: (text: string, stream: 'stdout' | 'stderr') => void } = {}): Promise<void> {
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
      const shown = opts.details === undefined ? e.log : `${opts.details} ${e.log}`;
      const text = opts.timestamps ? `${e.time} ${shown}` : shown;
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
