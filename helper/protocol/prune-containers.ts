// Removing stopped containers, for `container prune`/`system prune` and the
// extension's Prune Stopped Containers…: the helper's own that are not
// running (an engine's are its engine's to remove), each removed in turn; one
// started or removed meanwhile is reported, not counted.
import type { ContainerSummary } from './types';
import type { Requester } from './requester';

/** The helper's own containers that are not running (nor about to run again by their restart policy: Docker's prune leaves those). */
export const stoppedContainers = (list: ContainerSummary[]): ContainerSummary[] => list.filter((c) => c.status !== 'running' && !c.restarting && !c.engine);

/** Removes `victims` (listed with `size`: their rw layers are what is reclaimed). */
export async function removeContainers(c: Requester, victims: ContainerSummary[]): Promise<{ removed: ContainerSummary[]; reclaimed: number; failed: { name: string; message: string }[] }> {
  const removed: ContainerSummary[] = [];
  const failed: { name: string; message: string }[] = [];
  let reclaimed = 0;
  for (const x of victims) {
    try {
      await c.request('container.remove', { id: x.id });
      removed.push(x);
      reclaimed += x.sizeRw ?? 0;
    } catch (e) { failed.push({ name: x.name, message: (e as Error).message }); }
  }
  return { removed, reclaimed, failed };
}
