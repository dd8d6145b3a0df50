// runc's --log FILE --log-format text|json: every error goes to the log as
// well as to stderr, one line each. containerd's shim reads the last
// {"level":"error","msg":...} of its log.json to say why a create or exec
// failed (and Podman its oci-log), so the json line is exactly runc's
// (logrus): level, msg, time in RFC 3339; nothing but errors is written,
// since Podman parses the whole file as one object.
import * as fs from 'fs';

export interface RuntimeLog {
  error(msg: string): void;
}

/** logrus's time format: RFC 3339 to the second. */
function rfc3339(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** logrus's text format quotes a value unless it is made of plain characters only. */
function textValue(v: string): string {
  return /^[A-Za-z0-9\-._/@^+]+$/.test(v) ? v : JSON.stringify(v);
}

export function formatLogLine(format: 'text' | 'json', level: string, msg: string, time = new Date()): string {
  if (format === 'json') return JSON.stringify({ level, msg, time: rfc3339(time) }) + '\n';
  return `time=${JSON.stringify(rfc3339(time))} level=${level} msg=${textValue(msg)}\n`;
}

/**
 * The log is created when the runtime starts, as runc does (an engine reading
 * it after a failure must find it); appended to, one write per line.
 */
export function openRuntimeLog(file: string | undefined, format: 'text' | 'json'): RuntimeLog {
  if (!file) return { error: () => undefined };
  let fd = -1;
  try { fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o644); } catch { /* reported with the first error */ }
  return {
    error(msg: string) {
      if (fd < 0) {
        writeAll(2, `nscope-runtime: cannot open log file ${file}\n`);
        return;
      }
      writeAll(fd, formatLogLine(format, 'error', msg));
    },
  };
}

/**
 * Writes without going through process.stdout/stderr: those set O_NONBLOCK on
 * a pipe for a while, and the pipe is shared with the container's processes
 * (an engine gives the same pipes to runc and to the container).
 */
export function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length;) {
    try {
      off += fs.writeSync(fd, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}
