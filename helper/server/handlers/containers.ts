import type { ContainerMethods } from '../../protocol';
import { invalid } from '../../errors';
import { refuseEngine, routed } from './engine-route';
import { checkPsArgs, psTable } from '../../runtime/ps-table';
import { obj, type AreaHandlers, type HelperServices } from './types';

export function containerHandlers(s: HelperServices): AreaHandlers<keyof ContainerMethods> {
  const c = s.containers;
  const e = s.engines;
  return {
    'container.create': (p) => c.create(obj(p)),
    'container.start': (p) => { refuseEngine(s, obj(p).id, 'start'); return c.start(p.id); },
    'container.stop': (p) => { refuseEngine(s, obj(p).id, 'stop'); return c.stop(p.id, p.timeout, p.signal); },
    'container.kill': (p) => { refuseEngine(s, obj(p).id, 'kill'); return c.kill(p.id, p.signal ?? 'SIGKILL'); },
    'container.remove': (p) => { refuseEngine(s, obj(p).id, 'remove'); return c.remove(p.id, !!p.force, !!p.volumes); },
    'container.list': (p) => [...c.list(!!obj(p).all, !!p.size), ...e.list(!!p.all)],
    'container.inspect': (p) => routed(s, obj(p).id, (id) => e.inspect(id), () => c.inspect(p.id, p.size === true)),
    'container.wait': (p) => c.wait(obj(p).id, p.next === true),
    'container.update': (p) => {
      const { id, restart, ...limits } = obj(p);
      if (restart !== undefined && typeof restart !== 'string') throw invalid('update: "restart" must be a string');
      return routed(s, id, (eid) => {
        if (restart !== undefined) throw invalid('update --restart: a container an engine runs restarts as its engine says');
        if (limits.blkioWeight !== undefined) throw invalid('update --blkio-weight: not for a container an engine runs (its engine keeps its block I/O settings)');
        return e.update(eid, limits);
      }, () => c.update(id, limits, restart));
    },
    'container.top': (p) => routed(s, obj(p).id, (id) => e.top(id), () => c.top(p.id)),
    'container.ps': (p) => {
      const args = checkPsArgs(obj(p).args);
      return psTable(routed(s, p.id, (id) => e.pids(id), () => c.pids(p.id)), args);
    },
    'container.stats': (p) => routed(s, obj(p).id, (id) => e.stats(id), () => c.stats(p.id)),
    'container.logs': (p) => c.logs(obj(p).id, p.tail),
    'container.pause': (p) => { refuseEngine(s, obj(p).id, 'pause'); return c.pause(p.id); },
    'container.unpause': (p) => { refuseEngine(s, obj(p).id, 'unpause'); return c.unpause(p.id); },
    'container.rename': (p) => { refuseEngine(s, obj(p).id, 'rename'); return c.rename(p.id, obj(p).name); },
    'container.resize': (p) => c.resize(obj(p).id, p.rows, p.cols),
  };
}
