// `attach` and `resize`: a container's console and stdin, through its monitor.
import * as fs from 'fs';
import { conflict } from '../../errors';
import { ttyResize } from '../tty-size';
import { type ContainerContext, paths } from './context';

/** Where to attach to a container's console or stdin. */
export function attachSocket(ctx: ContainerContext, ref: string): string {
  const r = ctx.find(ref);
  if (!r.tty && !r.interactive) throw conflict(`container ${r.name} has neither a tty nor an open stdin (create it with -t or -i)`);
  if (r.status === 'exited') throw conflict(`container ${r.name} has exited`);
  return paths(ctx, r).attach;
}

export function resize(ctx: ContainerContext, ref: string, rows: number, cols: number): { id: string } {
  const r = ctx.find(ref);
  if (!r.tty) throw conflict(`container ${r.name} has no tty`);
  const size = ttyResize(rows, cols, 'resize');
  if (!size || r.status === 'exited') return { id: r.id };
  const fd = fs.openSync(paths(ctx, r).ctl, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  try { fs.writeSync(fd, `r ${size.rows} ${size.cols}\n`); } finally { fs.closeSync(fd); }
  return { id: r.id };
}
