import * as os from 'os';
import { invalid } from '../../errors';
import type { StreamMethods, SystemMethods } from '../../protocol';
import { type AreaHandlers, type HelperServices } from './types';

export function systemHandlers(s: HelperServices): AreaHandlers<keyof SystemMethods | keyof StreamMethods> {
  const c = s.containers;
  return {
    'system.info': (_p, ctx) => ({
      version: s.version, pid: process.pid, root: s.root, socket: s.socket, cgroupVersion: s.cgroups.version,
      kernel: os.release(), containers: c.counts(), images: s.images.list().length,
      peer: { uid: ctx.peer.uid, gid: ctx.peer.gid, pid: ctx.peer.pid },
    }),
    'system.subscribe': (_p, ctx) => { ctx.subscribe(); return { subscribed: true as const }; },
    'stream.open': () => { throw invalid('stream.open must be the first request on its own connection'); },
  };
}
