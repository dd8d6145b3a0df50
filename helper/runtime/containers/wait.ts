// `wait`: a container's exit status, when it comes (exit.ts answers the waiters).
import type { ExitStatus } from '../../protocol/types';
import type { ContainerContext } from './context';

export function wait(ctx: ContainerContext, ref: string, next = false): Promise<ExitStatus> {
  const r = ctx.find(ref);
  if (r.status === 'exited' && !next) return Promise.resolve(r.exit!);
  return new Promise((resolve) => {
    const list = ctx.exits.waiters.get(r.id) ?? [];
    list.push(resolve);
    ctx.exits.waiters.set(r.id, list);
  });
}
