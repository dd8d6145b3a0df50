// The editor's file operations on a container (VS Code's writable
// `nscope-container:` files): each one a files worker job (./worker.ts) in
// the container's root, as `nscope cp` is, as its root or the user asked for; a stopped container's root is
// assembled for it and taken down after, and says the container changed.
import { invalid } from '../errors';
import { writeAsProblem } from '../protocol/types/files';
import type { ContainerManager } from '../runtime/manager';
import type { FilesJob } from './worker';
import { runWorker } from './worker-process';

export type EditJob = Omit<FilesJob, 'root' | 'ids' | 'mounts'> & { op: 'write' | 'mkdir' | 'delete' | 'rename' };

/** A request's `user` (who the change is made as), checked: absent is the container's root; `what` names the request. */
export function writeAs(user: unknown, what: string): string | undefined {
  if (user === undefined || user === null) return undefined;
  const problem = writeAsProblem(user);
  if (problem) throw invalid(`${what}: ${problem}`);
  return user as string;
}

export async function editFiles(containers: ContainerManager, ref: string, job: EditJob, input?: Buffer): Promise<void> {
  const where = containers.copyRoot(ref, { write: true });
  let ok = false;
  try {
    await runWorker({ ...job, root: where.root, ids: where.ids, mounts: where.mounts }, input);
    ok = true;
  } finally {
    where.release(ok);
  }
}
