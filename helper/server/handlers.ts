// The method table: one handler per protocol method, typed from
// helper/protocol so a missing or mistyped method fails to compile.
import * as os from 'os';
import type { CgroupDriver } from '../cgroups/types';
import { invalid } from '../errors';
import type { ImageStore } from '../images/store';
import type { MethodName, Params, Result } from '../protocol';
import type { ContainerManager } from '../runtime/manager';
import { openForPeer } from './access';
import type { ConnContext } from './context';
import * as fs from 'fs';
import { containerNamespaces, listNamespaces } from '../namespaces/list';

export type Handlers = { [M in MethodName]: (params: Params<M>, ctx: ConnContext) => Promise<Result<M>> | Result<M> };

export interface HelperServices {
  root: string;
  socket: string;
  version: string;
  images: ImageStore;
  containers: ContainerManager;
  cgroups: CgroupDriver;
  /** image events go through the same channel as container events */
  emitImage(type: 'image.added' | 'image.removed', id: string, name: string): void;
}

const obj = <T>(p: T): T => {
  if (p === null || p === undefined) return {} as T;
  if (typeof p !== 'object' || Array.isArray(p)) throw invalid('params must be an object');
  return p;
};

export function makeHandlers(s: HelperServices): Handlers {
  const c = s.containers;
  return {
    'system.info': (_p, ctx) => ({
      version: s.version, pid: process.pid, root: s.root, socket: s.socket, cgroupVersion: s.cgroups.version,
      kernel: os.release(), containers: c.counts(), images: s.images.list().length,
      peer: { uid: ctx.peer.uid, gid: ctx.peer.gid, pid: ctx.peer.pid },
    }),
    'system.subscribe': (_p, ctx) => { ctx.subscribe(); return { subscribed: true as const }; },

    'container.create': (p) => c.create(obj(p)),
    'container.start': (p) => c.start(obj(p).id),
    'container.stop': (p) => c.stop(obj(p).id, p.timeout),
    'container.kill': (p) => c.kill(obj(p).id, p.signal ?? 'SIGKILL'),
    'container.remove': (p) => c.remove(obj(p).id, !!p.force),
    'container.list': (p) => c.list(!!obj(p).all),
    'container.inspect': (p) => c.inspect(obj(p).id),
    'container.wait': (p) => c.wait(obj(p).id),
    'container.update': (p) => { const { id, ...limits } = obj(p); return c.update(id, limits); },
    'container.top': (p) => c.top(obj(p).id),
    'container.stats': (p) => c.stats(obj(p).id),
    'container.logs': (p) => c.logs(obj(p).id, p.tail),

    'image.list': () => s.images.list(),
    'image.inspect': (p) => s.images.inspect(obj(p).ref),
    'image.import': async (p, ctx) => {
      const fd = openForPeer(obj(p).file, ctx.peer);
      try {
        const added = await s.images.importArchive(`/proc/self/fd/${fd}`, { name: p.name });
        for (const img of added) s.emitImage('image.added', img.id, img.name);
        return added;
      } finally {
        fs.closeSync(fd);
      }
    },
    'image.host': async (p) => {
      const img = await s.images.buildFromHost(obj(p).name, p.programs);
      s.emitImage('image.added', img.id, img.name);
      return img;
    },
    'image.remove': (p) => {
      const img = s.images.inspect(obj(p).ref);
      s.images.remove(p.ref, { force: !!p.force, inUse: (id: string) => c.imageInUse(id) });
      s.emitImage('image.removed', img.id, img.name);
      return { ref: p.ref };
    },
    'container.resize': (p) => c.resize(obj(p).id, p.rows, p.cols),
    'container.shells': (p) => c.shells(obj(p).id, p.user),
    'container.namespaces': (p) => containerNamespaces(c.initPid(obj(p).id)),
    'namespace.list': (p) => listNamespaces(c.runningRefs(), obj(p).type),
    'exec.resize': (p) => { c.execs.resize(obj(p).execId, p.rows, p.cols); return { execId: p.execId }; },
    'exec.kill': (p) => { c.execs.kill(obj(p).execId, p.signal); return { execId: p.execId }; },
    'exec.wait': (p) => c.execs.get(obj(p).execId).ended,
    'exec.inspect': (p) => c.execs.get(obj(p).execId).status,
    'stream.open': () => { throw invalid('stream.open must be the first request on its own connection'); },
  };
}
