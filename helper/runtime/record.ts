// A container's record on disk (<root>/containers/<id>/state.json) and the
// paths of everything else in its directory.
import * as path from 'path';
import type { ContainerStatus, ExitStatus, Limits } from '../protocol';

export interface ContainerRecord {
  id: string;
  name: string;
  image: string;
  imageId: string;
  command: string[];
  created: string;
  status: ContainerStatus;
  startedAt?: string;
  finishedAt?: string;
  pid?: number;
  pidStart?: number;
  shimPid?: number;
  rootSwitch?: 'pivot_root' | 'chroot' | 'none';
  exit?: ExitStatus;
  autoRemove: boolean;
  hostname: string;
  limits: Limits;
  cgroupRel: string;
  layers: string[];
  labels: Record<string, string>;
  stopSignal?: string;
  tty?: boolean;
  interactive?: boolean;
}

export function containerPaths(dir: string) {
  return {
    dir,
    state: path.join(dir, 'state.json'),
    config: path.join(dir, 'config.json'),
    plan: path.join(dir, 'plan'),
    exit: path.join(dir, 'exit.json'),
    pid: path.join(dir, 'init.pid'),
    fifo: path.join(dir, 'exec.fifo'),
    log: path.join(dir, 'container.log'),
    attach: path.join(dir, 'attach.sock'),
    ctl: path.join(dir, 'ctl'),
  };
}
