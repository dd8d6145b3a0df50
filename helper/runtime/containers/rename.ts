// `rename`: a container's name, in its record and for its network peers.
import { conflict } from '../../errors';
import { checkName } from '../names';
import { type ContainerContext, emitEvent, save } from './context';

export function rename(ctx: ContainerContext, ref: string, asked: string): { id: string; name: string } {
  const r = ctx.find(ref);
  const name = checkName(asked);
  if (r.name === name) throw conflict(`renaming a container with the same name as its current name`);
  for (const o of ctx.records.values()) {
    if (o.name === name) throw conflict(`the container name "${name}" is already in use by container ${o.id.slice(0, 12)}`);
  }
  const oldName = r.name;
  r.name = name;
  save(ctx, r);
  ctx.net.renamed(r.id, name);
  emitEvent(ctx, 'container.renamed', r, { oldName });
  return { id: r.id, name };
}
