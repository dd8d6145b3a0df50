import type { ContainerMethods } from '../../protocol';
import { obj, type AreaHandlers, type HelperServices } from './types';

export function containerHandlers(s: HelperServices): AreaHandlers<keyof ContainerMethods> {
  const c = s.containers;
  return {
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
    'container.resize': (p) => c.resize(obj(p).id, p.rows, p.cols),
  };
}
