// One nscope-shim spawned ahead of need (`nscope-shim --standby`), waiting
// for a plan's path on its fd 4. A create takes it and writes the path: the
// spawn, the loading of the program and of libseccomp are then off the
// create's path (about a millisecond of a ~12 ms `run`); a new one is
// spawned while the taken one sets its container up. Only the daemon keeps
// one: a one-shot `nscope-runtime` would pay the spawn anyway. A standby shim
// whose pipe closes (close(), or the daemon killed) exits without a word.
import * as fs from 'fs';
import { native, shimPath } from '../native';

export interface SpawnedShim { pid: number; fds: number[] }

export class ShimStandby {
  private idle?: SpawnedShim;
  private refill?: NodeJS.Immediate;
  private closed = false;

  /** A shim running `planFile`: the standby one if it is still there, else a new one. */
  take(planFile: string): SpawnedShim {
    const s = this.idle;
    this.idle = undefined;
    this.schedule();
    if (s) {
      try {
        fs.writeSync(s.fds[4], `${planFile}\n`);
        fs.closeSync(s.fds[4]);
        return s;
      } catch {
        // it died meanwhile (killed by someone): drop it, spawn as usual
        this.discard(s);
      }
    }
    return native().spawnShim(shimPath(), [planFile], ['null', 'null', 'null', 'out']);
  }

  /** Ends the standby shim (EOF on its fd 4) and spawns no other. */
  close(): void {
    this.closed = true;
    if (this.refill) clearImmediate(this.refill);
    if (this.idle) this.discard(this.idle);
    this.idle = undefined;
  }

  private schedule(): void {
    if (this.closed || this.refill) return;
    // after the current create has handed its plan over: the spawn overlaps the shim's set-up
    this.refill = setImmediate(() => {
      this.refill = undefined;
      if (this.closed || this.idle) return;
      try {
        this.idle = native().spawnShim(shimPath(), ['--standby'], ['null', 'null', 'null', 'out', 'in']);
      } catch { /* no standby: creates spawn their own */ }
    });
  }

  private discard(s: SpawnedShim): void {
    for (const fd of s.fds) if (fd >= 0) try { fs.closeSync(fd); } catch { /* closed already */ }
    // it exits on the EOF: collect it so it leaves no zombie
    let tries = 0;
    const t = setInterval(() => { if (native().reap(s.pid) || ++tries > 100) clearInterval(t); }, 10);
    t.unref();
  }
}
