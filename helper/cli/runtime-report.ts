// The front door runs a `create` as its child and exits with the code this
// process reports on a pipe (NSCOPE_RUNTIME_REPORT; native/runtime-front/
// create.c): the engine then does not wait for Node's own exit (its heap
// freed, ~50 MB unmapped: ~4 ms), which goes on after the report.
import * as fs from 'fs';

const ENV = 'NSCOPE_RUNTIME_REPORT';
let fd = -1;

/** Takes the report pipe, if the front door gave one; its variable is gone before anything starts. */
export function claimReport(): void {
  const v = process.env[ENV];
  delete process.env[ENV];
  if (!v || !/^\d+$/.test(v)) return;
  try {
    if (!fs.fstatSync(Number(v)).isFIFO()) return;
    // a copy our children do not inherit (node opens everything close-on-exec), the inherited one closed
    fd = fs.openSync(`/proc/self/fd/${v}`, fs.constants.O_WRONLY);
    fs.closeSync(Number(v));
  } catch { fd = -1; }
}

/**
 * process.exit(code), the code reported last of all: after every other
 * 'exit' listener (the code cache written, a standby shim let go), since the
 * front door's exit ends this process (PR_SET_PDEATHSIG).
 */
export function exitReporting(code: number): never {
  if (fd >= 0) {
    const report = fd;
    process.once('exit', () => { try { fs.writeSync(report, Buffer.from([code & 0xff])); } catch { /* the front door is gone */ } });
  }
  return process.exit(code);
}
