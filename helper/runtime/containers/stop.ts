// `kill` and `stop`: signals to a container's init.
import { conflict, invalid } from '../../errors';
import { isSameProcess } from '../../lib/procinfo';
import { signalNumber } from '../signals';
import { DEFAULT_STOP_TIMEOUT } from '../stop-options';
import type { ContainerRecord } from '../record';
import { type ContainerContext, save } from './context';
import { thawAfterSignal } from './pause';
import { wait } from './wait';

/** The user's kill: as Docker's, its restart policy does not bring it back (a restart waiting is called off). */
export async function kill(ctx: ContainerContext, ref: string, signal: string | number = 'SIGKILL'): Promise<{ id: string }> {
  const r = ctx.find(ref);
  const n = signalNumber(signal);
  if (await ctx.restarts.cancel(ctx, r)) { markStopped(ctx, r); return { id: r.id }; }
  // a created container is not running either (its init waits for start): Docker refuses both in these words
  if (r.status !== 'running' || !isSameProcess(r.pid, r.pidStart)) throw conflict(`Cannot kill container: ${r.name}: Container ${r.id} is not running`);
  markStopped(ctx, r);
  process.kill(r.pid!, n);
  thawAfterSignal(ctx, r);
  return { id: r.id };
}

/** Remembered before the signal: the exit it causes must not be restarted by the policy. */
function markStopped(ctx: ContainerContext, r: ContainerRecord): void {
  if (r.manuallyStopped) return;
  r.manuallyStopped = true;
  if (ctx.records.has(r.id)) save(ctx, r);
}

/** Docker's stop: `signal` (else the container's stop signal), then SIGKILL after `timeout` s (else its --stop-timeout; -1: never). */
export async function stop(ctx: ContainerContext, ref: string, timeout?: number, signal?: string): Promise<{ id: string }> {
  const r = ctx.find(ref);
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < -1 || timeout > 86400)) throw invalid(`--timeout: ${String(timeout).slice(0, 40)} is not -1 (wait however long) or a whole number of seconds up to 86400`);
  if (signal !== undefined && typeof signal !== 'string') throw invalid('--signal must be a signal name or number');
  // checked before anything is done: a bad name stops nothing
  const sig = signalNumber(signal ?? r.stopSignal ?? 'SIGTERM');
  await ctx.restarts.cancel(ctx, r);
  markStopped(ctx, r);
  if (r.status === 'exited') return { id: r.id };
  const exited = wait(ctx, r.id);
  // stop --time, else the container's --stop-timeout; -1 waits for the stop signal to work, however long
  const t = timeout ?? r.stopTimeout ?? DEFAULT_STOP_TIMEOUT;
  if (t !== 0) {
    try { process.kill(r.pid!, sig); } catch { /* already gone */ }
    thawAfterSignal(ctx, r);
    if (t < 0) { await exited; return { id: r.id }; }
    const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), t * 1000).unref());
    if (await Promise.race([exited, timer]) !== 'timeout') return { id: r.id };
  }
  try { process.kill(r.pid!, 'SIGKILL'); } catch { /* gone */ }
  thawAfterSignal(ctx, r);
  await exited;
  return { id: r.id };
}
