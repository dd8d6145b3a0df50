// `kill` and `stop`: signals to a container's init.
import { conflict, invalid } from '../../errors';
import { isSameProcess } from '../../lib/procinfo';
import { signalNumber } from '../signals';
import type { ContainerContext } from './context';
import { thawAfterSignal } from './pause';
import { wait } from './wait';

export function kill(ctx: ContainerContext, ref: string, signal: string | number = 'SIGKILL'): { id: string } {
  const r = ctx.find(ref);
  if (r.status === 'exited' || !isSameProcess(r.pid, r.pidStart)) throw conflict(`container ${r.name} is not running`);
  process.kill(r.pid!, signalNumber(signal));
  thawAfterSignal(ctx, r);
  return { id: r.id };
}

export async function stop(ctx: ContainerContext, ref: string, timeout?: number): Promise<{ id: string }> {
  const r = ctx.find(ref);
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0 || timeout > 86400)) throw invalid(`--time: ${timeout} is not between 0 and 86400 seconds`);
  if (r.status === 'exited') return { id: r.id };
  const exited = wait(ctx, r.id);
  const t = timeout ?? 10;
  if (t > 0) {
    try { process.kill(r.pid!, signalNumber(r.stopSignal ?? 'SIGTERM')); } catch { /* already gone */ }
    thawAfterSignal(ctx, r);
    const timer = new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), t * 1000).unref());
    if (await Promise.race([exited, timer]) !== 'timeout') return { id: r.id };
  }
  try { process.kill(r.pid!, 'SIGKILL'); } catch { /* gone */ }
  thawAfterSignal(ctx, r);
  await exited;
  return { id: r.id };
}
