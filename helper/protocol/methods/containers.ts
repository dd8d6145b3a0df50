// Containers: each method's params and result (the data: ../types/containers.ts).
import type { ContainerDetail, ContainerStats, ContainerSummary, ExitStatus, LimitArgs, Limits, LogEntry, ProcessInfo, PsTable, RunOptions } from '../types/containers';

export interface ContainerMethods {
  'container.create': { params: RunOptions; result: { id: string; name: string; warnings: string[] } };
  'container.start': { params: { id: string }; result: { id: string } };
  /** timeout: seconds before SIGKILL (-1: wait however long); signal: instead of the container's stop signal (Docker's stop -s) */
  'container.stop': { params: { id: string; timeout?: number; signal?: string }; result: { id: string } };
  'container.kill': { params: { id: string; signal?: string | number }; result: { id: string } };
  /** `volumes`: also the container's anonymous volumes (rm -v) */
  'container.remove': { params: { id: string; force?: boolean; volumes?: boolean }; result: { id: string } };
  /** `size`: each container's rw layer size too (sizeRw; a walk of its files) */
  'container.list': { params: { all?: boolean; size?: boolean }; result: ContainerSummary[] };
  /** `size`: its rw layer's size too (sizeRw; a walk of its files), for inspect --size */
  'container.inspect': { params: { id: string; size?: boolean }; result: ContainerDetail };
  /** `next`: the end of its next run even if it has exited now (Docker's condition next-exit: run, start -a) */
  'container.wait': { params: { id: string; next?: boolean }; result: ExitStatus };
  /** `blkioWeight`: 10–1000, 0 for none; `warnings`: what the host could not take (Docker's) */
  'container.update': { params: { id: string; restart?: string; blkioWeight?: number } & LimitArgs; result: { id: string; limits: Limits; warnings?: string[] } };
  'container.top': { params: { id: string }; result: ProcessInfo[] };
  /** `top CONTAINER [ps OPTIONS]` as Docker's: the host's ps with `args` (default -ef), its rows cut to the container's processes */
  'container.ps': { params: { id: string; args?: string[] }; result: PsTable };
  'container.stats': { params: { id: string }; result: ContainerStats };
  'container.logs': { params: { id: string; tail?: number }; result: LogEntry[] };
  /** the cgroup freezer (v1 freezer.state, v2 cgroup.freeze): every process of a running container stopped, and let go again */
  'container.pause': { params: { id: string }; result: { id: string } };
  'container.unpause': { params: { id: string }; result: { id: string } };
  /** a new name, unique among the helper's containers; its networks' peers resolve it by the new one */
  'container.rename': { params: { id: string; name: string }; result: { id: string; name: string } };
  /** the console's window size (containers created with tty) */
  'container.resize': { params: { id: string; rows: number; cols: number }; result: { id: string } };
}
