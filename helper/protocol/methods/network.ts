// Networks and volumes: each method's params and result (the data: ../types/network.ts, ../types/volumes.ts).
import type { NetworkDetail, NetworkSummary, PortMapping } from '../types/network';
import type { VolumeSummary } from '../types/volumes';

export interface NetworkMethods {
  'network.create': { params: { name: string; subnet?: string; gateway?: string; labels?: Record<string, string> }; result: NetworkSummary };
  'network.list': { params: Record<string, never>; result: NetworkSummary[] };
  'network.inspect': { params: { name: string }; result: NetworkDetail };
  /** refused while a container is attached (the error names it) */
  'network.remove': { params: { name: string }; result: { name: string } };
  /** `ip`: its address on that network (a user-defined one), instead of the next free one */
  'network.connect': { params: { network: string; container: string; aliases?: string[]; ip?: string }; result: { network: string; container: string } };
  'network.disconnect': { params: { network: string; container: string; force?: boolean }; result: { network: string; container: string } };
  /** `nscope port ID`: the container's published ports */
  'container.port': { params: { id: string }; result: PortMapping[] };
}

export interface VolumeMethods {
  'volume.create': { params: { name?: string; labels?: Record<string, string> }; result: VolumeSummary };
  'volume.list': { params: { size?: boolean }; result: VolumeSummary[] };
  'volume.inspect': { params: { name: string }; result: VolumeSummary };
  /** refused while a container uses it (the error names them), unless force and no running user */
  'volume.remove': { params: { name: string; force?: boolean }; result: { name: string } };
  /** removes every volume no container uses; anonymous ones only unless `all` */
  'volume.prune': { params: { all?: boolean }; result: { removed: string[]; reclaimed: number } };
}
