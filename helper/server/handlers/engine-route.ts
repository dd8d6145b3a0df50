// Which side answers a container method: nscope's own containers first (by
// id, name or prefix, as always), then the containers engines run with
// nscope-runtime (../../runtime/engine-containers.ts).
import { NscopeError } from '../../errors';
import type { EngineContainer } from '../../runtime/engine-containers';
import type { EngineVerb } from '../../runtime/engine-owner';
import type { HelperServices } from './types';

/** The engine container `ref` names, when no container of nscope's does. */
export function engineContainer(s: HelperServices, ref: unknown): EngineContainer | undefined {
  if (typeof ref !== 'string' || !ref) return undefined;
  try {
    s.containers.find(ref);
    return undefined;
  } catch (e) {
    // an ambiguous prefix or a bad ref keeps nscope's own error; "forbidden" is
    // find()'s generic refusal for an engine's container (the caller routes it)
    if (!(e instanceof NscopeError) || (e.code !== 'not_found' && e.code !== 'forbidden')) return undefined;
  }
  return s.engines.lookup(ref);
}

/** `engine(id)` for an engine container, else `own()`. */
export function routed<T>(s: HelperServices, ref: unknown, engine: (id: string) => T, own: () => T): T {
  const e = engineContainer(s, ref);
  return e ? engine(e.id) : own();
}

/** Throws the engine's refusal ("container X belongs to Docker: use docker stop X") when an engine owns `ref`. */
export function refuseEngine(s: HelperServices, ref: unknown, verb: EngineVerb): void {
  const e = engineContainer(s, ref);
  if (e) s.engines.refuse(e, verb);
}
