// Volumes: each method's params and result (the data: ../types/volumes.ts).
import type { VolumePruneFilters, VolumeSummary } from '../types/volumes';

export interface VolumeMethods {
  /**
   * `driver`: only "local"; `options`: its type, device and o (a volume
   * that is a mount: tmpfs, a bind of a host directory, a block device's file system)
   */
  'volume.create': { params: { name?: string; labels?: Record<string, string>; driver?: string; options?: Record<string, string> }; result: VolumeSummary };
  'volume.list': { params: { size?: boolean }; result: VolumeSummary[] };
  'volume.inspect': { params: { name: string }; result: VolumeSummary };
  /** refused while a container uses it (the error names them), unless force and no running user */
  'volume.remove': { params: { name: string; force?: boolean }; result: { name: string } };
  /** removes every volume no container uses; anonymous ones only unless `all`; `filters`: only those whose labels match */
  'volume.prune': { params: { all?: boolean; filters?: VolumePruneFilters }; result: { removed: string[]; reclaimed: number } };
}
