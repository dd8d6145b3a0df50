// The editor's file operations on a container (VS Code's writable
// `nscope-container:` files): each one a files worker job (./worker.ts) in
// the container's root, as `nscope cp` is; a stopped container's root is
// assembled for it and taken down after, and says the container changed.
import type { ContainerManager } from '../runtime/manager';
import type { FilesJob } from './worker';
import { runWorker } from './worker-process';

export type EditJob = Omit<FilesJob, 'root' | 'ids'> & { op: 'write' | 'mkdir' | 'delete' | 'rename' };

export async function editFiles(containers: ContainerManager, ref: string, job: EditJob, input?: Buffer): Promise<void> {
  const where = containers.copyRoot(ref);
  let ok = false;
  try {
    await runWorker({ ...job, root: where.root, ids: where.ids }, input);
    ok = true;
  } finally {
    where.release(ok);
  }
}
