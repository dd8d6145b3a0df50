import type { ExecMethods, NamespaceMethods } from '../../protocol';
import { containerNamespaces, listNamespaces } from '../../namespaces/list';
import { routed } from './engine-route';
import { obj, type AreaHandlers, type HelperServices } from './types';

export function execHandlers(s: HelperServices): AreaHandlers<keyof ExecMethods | keyof NamespaceMethods> {
  const c = s.containers;
  return {
    'container.shells': (p) => c.shells(obj(p).id, p.user),
    'container.namespaces': (p) => routed(s, obj(p).id, (id) => s.engines.namespaces(id), () => containerNamespaces(c.initPid(p.id))),
    'namespace.list': (p) => listNamespaces([...c.runningRefs(), ...s.engines.runningRefs()], obj(p).type),
    'exec.resize': (p) => { c.execs.resize(obj(p).execId, p.rows, p.cols); return { execId: p.execId }; },
    'exec.kill': (p) => { c.execs.kill(obj(p).execId, p.signal); return { execId: p.execId }; },
    'exec.wait': (p) => c.execs.get(obj(p).execId).ended,
    'exec.inspect': (p) => c.execs.get(obj(p).execId).status,
  };
}
