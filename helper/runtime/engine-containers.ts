// The containers Docker, containerd and Podman run with nscope-runtime: found
// through the runtime roots nscope-runtime recorded (runtime-roots.ts), read
// from the runtime's state.json, the bundle's config.json and the kernel
// (/proc, the live cgroup, the overlay in the mount table). nscope shows them
// and may change their limits (the cgroup is the truth the engine also
// reads); their lifecycle is the engine's, so those verbs are refused with
// the engine's own command (engine-owner.ts).
import * as fs from 'fs';
import * as path from 'path';
import type { CgroupDriver, CgroupLimits } from '../cgroups/types';
import { validateResources } from '../cgroups/validate';
import { conflict, invalid, notFound, NscopeError } from '../errors';
import { isSameProcess } from '../lib/procinfo';
import { processesOf } from './process-info';
import { containerNamespaces } from '../namespaces/list';
import type {
  ContainerDetail, ContainerEngine, ContainerNamespace, ContainerStats, ContainerStatus, ContainerSummary, DiffResult, LimitArgs, Limits, ProcessInfo,
} from '../protocol/types';
import { diffLayer } from '../rootfs/diff';
import { mountedOverlay, type MountedOverlay } from '../rootfs/mounted-overlay';
import { MAX_WALK_ENTRIES } from '../rootfs/walk';
import { readLiveSecurity } from '../security/live';
import { securityOf } from '../security/summary';
import { engineLabel, engineOf, engineRef, refusal, type EngineVerb } from './engine-owner';
import { limitsFromArgs, mergeLimits, resourcesFromLimits } from './limits';
import { DEFAULT_RUNTIME_ROOT, OciRuntime, type RuntimeState } from './oci-runtime';
import { isSafeAbsPath, listRuntimeRoots, RUNTIME_ROOTS_DIR } from './runtime-roots';
import type { Spec } from './spec';

/** One engine container as read now; nothing is cached between requests (the engine changes it under us). */
export interface EngineContainer {
  id: string;
  engine: ContainerEngine;
  status: ContainerStatus;
  /** the init, checked to be the process the runtime started (pid + start time) */
  pid?: number;
  bundle: string;
  cgroupRel: string;
  rootSwitch: RuntimeState['rootSwitch'];
  created: string;
  spec?: Spec;
  annotations?: Record<string, string>;
}

/** A cgroup path from a file we did not write: relative, no "..", no NUL. */
const safeRel = (r: unknown): r is string => typeof r === 'string' && r.length > 0 && !r.startsWith('/') && !/\0/.test(r) && !r.split('/').includes('..');

export class EngineContainers {
  /** `registry` null: none at all; the runtime's default root is looked at with the default registry only (a private one is a test's) */
  constructor(private readonly cgroups: CgroupDriver, private readonly registry: string | null = RUNTIME_ROOTS_DIR) {}

  /** Every engine container under every recorded root (and the runtime's default one). */
  all(): EngineContainer[] {
    if (this.registry === null) return [];
    const roots = new Set(listRuntimeRoots(this.registry));
    if (this.registry === RUNTIME_ROOTS_DIR) roots.add(DEFAULT_RUNTIME_ROOT);
    const out: EngineContainer[] = [];
    for (const root of roots) {
      if (!fs.existsSync(root)) continue;
      const rt = new OciRuntime(root);
      for (const id of safeReaddir(root)) {
        const c = this.read(rt, root, id);
        if (c) out.push(c);
      }
    }
    return out;
  }

  private read(rt: OciRuntime, root: string, id: string): EngineContainer | undefined {
    let live: ReturnType<OciRuntime['live']>;
    try { live = rt.live(id); } catch { return undefined; }
    const s = live.state;
    // state.json is the runtime's, but under a root an engine chose: checked field by field
    if (!s || typeof s !== 'object' || s.id !== id || !isSafeAbsPath(s.bundle) || !safeRel(s.cgroupRel) || !Number.isInteger(s.pid) || s.pid < 0) return undefined;
    if (live.status === 'creating') return undefined;
    const alive = s.pid > 0 && isSameProcess(s.pid, s.pidStart);
    const status: ContainerStatus = live.status === 'stopped' || !alive ? 'exited' : live.status === 'created' ? 'created' : 'running';
    let spec: Spec | undefined;
    try { spec = rt.containerSpec(id); } catch { /* the engine removed the bundle (and it predates the kept copy) */ }
    return {
      id, engine: engineOf(root, s.bundle), status, pid: status === 'exited' ? undefined : s.pid, bundle: s.bundle, cgroupRel: s.cgroupRel,
      rootSwitch: s.rootSwitch, created: typeof s.created === 'string' ? s.created : '', spec, annotations: s.annotations && typeof s.annotations === 'object' ? s.annotations : undefined,
    };
  }

  /** By full id, the engine's short id, or a unique id prefix (3+ characters); undefined if no engine container matches. */
  lookup(ref: string): EngineContainer | undefined {
    if (typeof ref !== 'string' || !ref) return undefined;
    const all = this.all();
    const exact = all.filter((c) => c.id === ref);
    if (exact.length) return exact[0];
    if (ref.length < 3) return undefined;
    const hits = all.filter((c) => c.id.startsWith(ref));
    if (hits.length > 1) throw invalid(`container id prefix "${ref}" is ambiguous (${hits.map((c) => `${engineLabel(c.engine)} ${c.id}`).join(', ')})`);
    return hits[0];
  }

  find(ref: string): EngineContainer {
    const c = this.lookup(ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    return c;
  }

  /** The lifecycle verbs: the engine's own. */
  refuse(c: EngineContainer, verb: EngineVerb): never {
    throw new NscopeError('forbidden', refusal(c.engine, verb, c.id));
  }

  summary(c: EngineContainer): ContainerSummary {
    const args = Array.isArray(c.spec?.process?.args) ? c.spec!.process.args.map(String) : [];
    return {
      id: c.id, name: engineRef(c.engine, c.id), image: imageOf(c), imageId: '', command: args, status: c.status, created: c.created,
      startedAt: c.status === 'running' ? c.created : undefined, pid: c.pid, labels: c.annotations, engine: c.engine,
    };
  }

  list(all: boolean): ContainerSummary[] {
    return this.all().filter((c) => all || c.status === 'running').map((c) => this.summary(c));
  }

  /** The overlay the engine mounted: in the init's mount namespace while it runs, else (Docker keeps it while the container exists) on the host. */
  overlay(c: EngineContainer): MountedOverlay | null {
    if (c.pid) {
      const o = mountedOverlay(`/proc/${c.pid}/mountinfo`, '/');
      if (o && isSameProcess(c.pid, undefined)) return o;
    }
    const rootfs = c.spec?.root?.path ? path.resolve(c.bundle, c.spec.root.path) : path.join(c.bundle, 'rootfs');
    return mountedOverlay('/proc/self/mountinfo', rootfs);
  }

  inspect(ref: string): ContainerDetail {
    const c = this.find(ref);
    let o: MountedOverlay | null = null;
    try { o = this.overlay(c); } catch { /* relative options: no layers to show */ }
    const rootfs = c.spec?.root?.path ? path.resolve(c.bundle, c.spec.root.path) : '';
    const declared = Array.isArray(c.spec?.linux?.namespaces) ? c.spec!.linux!.namespaces! : [];
    const namespaces = ['mount', 'pid', 'network', 'ipc', 'uts', 'cgroup'].map((type) => {
      const d = declared.find((n) => n.type === type);
      return { type, path: d?.path, shared: !d || !!d.path };
    });
    const live = c.status === 'running' && c.pid ? readLiveSecurity(c.pid) : null;
    return {
      ...this.summary(c), hostname: typeof c.spec?.hostname === 'string' ? c.spec.hostname : '', rootSwitch: c.rootSwitch as ContainerDetail['rootSwitch'],
      rootfs: { lower: o?.lower ?? [], init: '', upper: o?.upper ?? '', work: o?.work ?? '', mountpoint: o?.mountpoint === '/' ? rootfs : (o?.mountpoint ?? rootfs) },
      cgroup: { version: this.cgroups.version, path: `/${c.cgroupRel}` }, limits: c.status === 'exited' ? {} : limitsOf(this.cgroups.open(c.cgroupRel).limits()),
      logPath: '', bundle: c.bundle, namespaces, autoRemove: false, spec: c.spec ?? null,
      security: { ...securityOf(c.spec), live: live && c.pid && isSameProcess(c.pid, undefined) ? live : undefined },
    };
  }

  private running(ref: string): EngineContainer & { pid: number } {
    const c = this.find(ref);
    if (c.status === 'exited' || !c.pid) throw conflict(`container ${engineRef(c.engine, c.id)} is not running`);
    return c as EngineContainer & { pid: number };
  }

  /** The host pids of a running container's processes (its cgroup's). */
  pids(ref: string): number[] {
    return this.cgroups.open(this.running(ref).cgroupRel).pids();
  }

  top(ref: string): ProcessInfo[] {
    return processesOf(this.pids(ref));
  }

  stats(ref: string): ContainerStats {
    const s = this.cgroups.open(this.running(ref).cgroupRel).stats();
    return { memoryUsage: s.memoryUsage, memoryLimit: s.memoryLimit, cpuUsageNs: s.cpuUsageNs, pidsCurrent: s.pidsCurrent, pidsLimit: s.pidsLimit, oomKills: s.oomKills };
  }

  namespaces(ref: string): ContainerNamespace[] {
    return containerNamespaces(this.running(ref).pid);
  }

  /**
   * Writes the limits into the container's live cgroup, as the engine's own
   * `update` would (the engine's record keeps its old values: `docker
   * inspect` does not see this change, the kernel does).
   */
  update(ref: string, args: LimitArgs): { id: string; limits: Limits } {
    const c = this.running(ref);
    const cg = this.cgroups.open(c.cgroupRel);
    if (!cg.exists()) throw conflict(`container ${engineRef(c.engine, c.id)}: its cgroup /${c.cgroupRel} is gone`);
    const now = limitsOf(cg.limits());
    const change = limitsFromArgs(args, now);
    if (Object.keys(change).length === 0) throw invalid('update: no limit given (--memory, --cpus, --pids-limit, --cpuset-cpus, ...)');
    const limits = mergeLimits(now, change);
    const res = resourcesFromLimits(change.memory !== undefined || change.memorySwap !== undefined ? limits : change);
    validateResources(res);
    cg.apply(res);
    return { id: c.id, limits: limitsOf(cg.limits()) };
  }

  async diff(ref: string, details: boolean): Promise<DiffResult> {
    const c = this.find(ref);
    const name = engineRef(c.engine, c.id);
    const o = this.overlay(c);
    if (!o) throw new NscopeError('unsupported', `container ${name}: its root is not an overlay (${engineLabel(c.engine)} gave it a plain directory), so there is no copy-on-write layer to diff`);
    if (!o.upper || !fs.existsSync(o.upper)) throw notFound(`container ${name}: its rw layer ${o.upper || '(none: a read-only overlay)'} is gone`);
    try {
      return { id: c.id, changes: await diffLayer(o.upper, o.lower, { details }) };
    } catch (e) {
      if (/more than \d+ entries$/.test((e as Error).message)) throw new NscopeError('unsupported', `container ${name}: its rw layer has more than ${MAX_WALK_ENTRIES} entries, too many to diff`);
      throw e;
    }
  }

  /** Running engine containers with their init, for the host-wide namespace listing. */
  runningRefs(): { id: string; name: string; pid: number }[] {
    return this.all().filter((c) => c.status !== 'exited' && c.pid).map((c) => ({ id: c.id, name: engineRef(c.engine, c.id), pid: c.pid! }));
  }
}

function safeReaddir(root: string): string[] {
  try { return fs.readdirSync(root).filter((e) => !e.startsWith('.')); } catch { return []; }
}

/** What the engine gave as the image: Kubernetes' annotation when there is one, else which engine's rootfs. */
function imageOf(c: EngineContainer): string {
  const a = c.annotations ?? {};
  const named = a['io.kubernetes.cri.image-name'] ?? a['org.opencontainers.image.ref.name'];
  return typeof named === 'string' && named ? named : `${engineLabel(c.engine)} rootfs`;
}

/** The cgroup's limits in the protocol's terms; unset (unlimited) ones are left out, as in a container's record. */
function limitsOf(l: CgroupLimits): Limits {
  const out: Limits = {};
  if (l.memoryLimit !== null) out.memory = l.memoryLimit;
  if (l.memorySwap !== undefined && l.memorySwap !== null) out.memorySwap = l.memorySwap;
  if (l.cpuQuota !== null && l.cpuQuota > 0) out.cpus = l.cpuQuota / (l.cpuPeriod ?? 100000);
  if (l.cpuPeriod !== undefined && l.cpuPeriod !== 100000) out.cpuPeriod = l.cpuPeriod;
  if (l.cpuShares !== undefined && l.cpuShares !== 1024) out.cpuShares = l.cpuShares;
  if (l.cpusetCpus) out.cpusetCpus = l.cpusetCpus;
  if (l.cpusetMems) out.cpusetMems = l.cpusetMems;
  if (l.pidsLimit !== null) out.pidsLimit = l.pidsLimit;
  return out;
}
