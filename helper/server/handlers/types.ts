// The handler table's types, shared by every area's handlers.
import type { CgroupDriver } from '../../cgroups/types';
import { invalid } from '../../errors';
import type { ImageStore } from '../../images/store';
import type { MethodName, Params, Result } from '../../protocol';
import type { EngineContainers } from '../../runtime/engine-containers';
import type { ContainerManager } from '../../runtime/manager';
import type { RegistrySettings } from '../../registry/settings';
import type { ConnContext } from '../context';

export type Handler<M extends MethodName> = (params: Params<M>, ctx: ConnContext) => Promise<Result<M>> | Result<M>;
export type Handlers = { [M in MethodName]: Handler<M> };
/** One area's handlers, e.g. the methods named in protocol/methods/exec.ts. */
export type AreaHandlers<K extends MethodName> = { [M in K]: Handler<M> };

export interface HelperServices {
  root: string;
  socket: string;
  version: string;
  images: ImageStore;
  containers: ContainerManager;
  /** the containers Docker, containerd and Podman run with nscope-runtime */
  engines: EngineContainers;
  cgroups: CgroupDriver;
  /** how registries are reached: insecure hosts, mirrors, CAs */
  registry: RegistrySettings;
  /** image events go through the same channel as container events */
  emitImage(type: 'image.added' | 'image.removed', id: string, name: string): void;
}

/** Params must be an object (absent = {}). */
export const obj = <T>(p: T): T => {
  if (p === null || p === undefined) return {} as T;
  if (typeof p !== 'object' || Array.isArray(p)) throw invalid('params must be an object');
  return p;
};
