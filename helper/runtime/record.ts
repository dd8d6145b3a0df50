// A container's record on disk (<root>/containers/<id>/state.json) and the
// paths of everything else in its directory.
import * as path from 'path';
import type { ContainerStatus, ExitStatus, HealthConfig, HealthState, Limits } from '../protocol/types';
import type { IdMap } from '../lib/idmap';
import type { MountInfo } from '../protocol/types/volumes';
import type { VolumeUse } from '../volumes/container-mounts';
import type { NetworkRequest } from '../network/request';
import type { RestartPolicy } from './restart-policy';
import type { LogConfig } from './log-config';

export interface ContainerRecord {
  id: string;
  name: string;
  image: string;
  /** the image as the caller named it at create (`alpine`, an ID prefix): Docker's Config.Image (absent: made before it was kept) */
  imageRef?: string;
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
  /** --cgroup-parent: as given; and the parents of cgroupRel that creating it made (removed again once empty, deepest last) */
  cgroupParent?: string;
  cgroupParentsMade?: string[];
  /** --log-driver/--log-opt (absent: json-file, never rotated) */
  logConfig?: LogConfig;
  layers: string[];
  labels: Record<string, string>;
  /** --annotation (its spec's annotations hold them too, over its labels) */
  annotations?: Record<string, string>;
  /** --stop-signal, else the image's STOPSIGNAL (absent: SIGTERM) */
  stopSignal?: string;
  /** --stop-timeout in seconds (absent: 10; -1: stop waits for ever) */
  stopTimeout?: number;
  tty?: boolean;
  interactive?: boolean;
  /** -u, else the image's USER, as given (inspect's Config.User) */
  user?: string;
  /** --userns=auto: its user namespace's mappings (the host ids its rw layer is owned by) */
  idMap?: IdMap;
  /** its volumes, binds and tmpfs mounts (inspect's Mounts) */
  mounts?: MountInfo[];
  /** the volumes it uses: they are not removed while it exists; its anonymous ones go with `rm -v` */
  volumes?: VolumeUse[];
  /** its own netns's networks and published ports (absent: the host's or another container's netns) */
  network?: NetworkRequest;
  /** --restart (absent: no) */
  restartPolicy?: RestartPolicy;
  /** restarts by the policy since the user last started it (inspect's RestartCount) */
  restartCount?: number;
  /** the user stopped or killed it: its policy does not restart it (but `always` at the daemon's start) */
  manuallyStopped?: boolean;
  /** exited, and its policy restarts it once the back-off has passed */
  restarting?: boolean;
  /** RunOptions.lookupAtStart: its command is looked up when it starts */
  lookupAtStart?: boolean;
  /** its health check: --health-* over the image's HEALTHCHECK (test ["NONE"]: off) */
  healthcheck?: HealthConfig;
  /** the image's SHELL (Docker's Config.Shell): what a CMD-SHELL health check runs in */
  shell?: string[];
  /** --expose: ports exposed beside the image's EXPOSE ("8080/tcp"), for inspect's Config.ExposedPorts */
  exposed?: string[];
  /** its health (Docker's State.Health), while it runs and the last one after */
  health?: HealthState;
}

/**
 * `dir`: the container's directory on disk (what survives a reboot); `run`:
 * its directory on the daemon's tmpfs (see run-dir.ts). An `ephemeral`
 * container (--rm) keeps its state and config there too: after a reboot
 * there is nothing of it to show, only its rw layer to remove.
 */
export function containerPaths(dir: string, run: string, ephemeral = false) {
  const meta = ephemeral ? run : dir;
  return {
    dir,
    run,
    state: path.join(meta, 'state.json'),
    config: path.join(meta, 'config.json'),
    log: path.join(dir, 'container.log'),
    plan: path.join(run, 'plan'),
    exit: path.join(run, 'exit.json'),
    pid: path.join(run, 'init.pid'),
    fifo: path.join(run, 'exec.fifo'),
    attach: path.join(run, 'attach.sock'),
    ctl: path.join(run, 'ctl'),
  };
}
