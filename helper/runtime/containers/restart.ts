// Restart policies in action: after an exit the daemon starts the container
// again when its policy says so (../restart-policy.ts), after Docker's
// back-off; an explicit stop or kill cancels that, a start by the user
// begins afresh (RestartCount 0), and at the daemon's start the containers
// their policy brings back are started.
import { type RestartPolicy, nextDelay, shouldRestart } from '../restart-policy';
import type { ContainerRecord } from '../record';
import { type ContainerContext, save } from './context';

interface Pending { timer?: NodeJS.Timeout; delay?: number; running?: Promise<void> }

export class Restarts {
  private readonly state = new Map<string, Pending>();
  private closed = false;

  /** `start(id)`: the daemon's own start of an exited container (containers/start.ts with auto). */
  constructor(private readonly start: (id: string) => Promise<unknown>) {}

  /**
   * After a container's exit (or, `atDaemonStart`, for one found exited when
   * the daemon starts): a restart scheduled if its policy says so. `ranMs`:
   * how long the run that ended lasted (10 s or more resets the back-off).
   */
  afterExit(ctx: ContainerContext, r: ContainerRecord, ranMs: number, atDaemonStart = false): void {
    if (this.closed || !r.exit || !shouldRestart(r.restartPolicy, r.exit.exitCode, r.restartCount ?? 0, !!r.manuallyStopped, atDaemonStart)) {
      if (r.restarting) { r.restarting = false; save(ctx, r); }
      return;
    }
    const st = this.state.get(r.id) ?? {};
    this.state.set(r.id, st);
    if (st.timer) clearTimeout(st.timer);
    st.delay = nextDelay(st.delay, ranMs);
    r.restarting = true;
    save(ctx, r);
    st.timer = setTimeout(() => { st.timer = undefined; st.running = this.restartNow(ctx, r.id, atDaemonStart).finally(() => { st.running = undefined; }); }, st.delay);
    st.timer.unref();
  }

  private async restartNow(ctx: ContainerContext, id: string, atDaemonStart: boolean): Promise<void> {
    const r = ctx.records.get(id);
    if (!r || !r.restarting || r.status !== 'exited' || this.closed) return;
    // at the daemon's start an `always` container comes back even if the user had stopped it, as a new start
    if (atDaemonStart) { r.manuallyStopped = false; r.restartCount = 0; }
    else r.restartCount = (r.restartCount ?? 0) + 1;
    try {
      await this.start(id);
    } catch (e) {
      // as Docker's daemon: the failure is logged and the container stays exited (its next start is the user's)
      process.stderr.write(`nscope: warning: restarting container ${r.name}: ${(e as Error).message}\n`);
      if (ctx.records.has(id)) { r.restarting = false; save(ctx, r); }
    }
  }

  /** Whether a restart is waiting for its back-off to pass. */
  pending(id: string): boolean { return !!this.state.get(id)?.timer; }

  /**
   * The user stopped, killed, started or removed it: no restart comes any
   * more from the last exit (one already starting is let finish first, so
   * the caller acts on the container it made). True if one was waiting.
   */
  async cancel(ctx: ContainerContext, r: ContainerRecord): Promise<boolean> {
    const st = this.state.get(r.id);
    if (!st) return false;
    const waiting = !!st.timer;
    if (st.timer) clearTimeout(st.timer);
    st.timer = undefined;
    if (st.running) await st.running;
    this.state.delete(r.id);
    if (r.restarting) { r.restarting = false; if (ctx.records.has(r.id)) save(ctx, r); }
    return waiting;
  }

  /** The daemon stops: timers go (the next start finds those containers exited and decides again). */
  close(): void {
    this.closed = true;
    for (const st of this.state.values()) if (st.timer) clearTimeout(st.timer);
    this.state.clear();
  }
}

export type { RestartPolicy };
