// The file views (file.list/stat/read) of a running container read its
// layers (rootfs/read.ts) — except below a volume, bind or tmpfs mount, whose
// files are in no layer: those are read by a files worker in the container's
// mount namespace (./worker.ts), as the container sees them.
import * as path from 'path';
import type { FileSource } from '../protocol/types/diff';
import type { ContainerManager } from '../runtime/manager';
import type { FilesJob } from './worker';
import { runWorker } from './worker-process';

/** The running container whose mount `p` is under, when the view is a container's own; else undefined. */
export function mountedContainer(containers: ContainerManager, src: FileSource, p: string): string | undefined {
  if (!src.container || (src.view ?? 'container') !== 'container' || src.layer !== undefined || typeof p !== 'string') return undefined;
  let r;
  try { r = containers.find(src.container); } catch { return undefined; }
  if (r.status !== 'running' || !r.mounts?.length) return undefined;
  const abs = path.posix.resolve('/', p);
  return r.mounts.some((m) => abs === m.destination || abs.startsWith(`${m.destination}/`)) ? r.id : undefined;
}

/** A list, stat or read job's result from inside the container. */
export async function readMounted<T>(containers: ContainerManager, id: string, job: Omit<FilesJob, 'root' | 'ids'> & { op: 'list' | 'stat' | 'read' }): Promise<T> {
  const where = containers.copyRoot(id);
  try {
    return (await runWorker({ ...job, root: where.root, ids: where.ids })).result as T;
  } finally {
    where.release(false);
  }
}
