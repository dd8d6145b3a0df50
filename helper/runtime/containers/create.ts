// `create`: a container's record, rw layer, cgroup and init (waiting on its
// exec fifo for `start`), and what spawning an init takes (start.ts uses it
// again for a container that exited).
import * as fs from 'fs';
import * as os from 'os';
import type { Cgroup } from '../../cgroups/types';
import { delegateCgroup } from '../../cgroups/delegate';
import { conflict, invalid, NscopeError } from '../../errors';
import { writeJsonAtomic } from '../../lib/atomic';
import { toHostId } from '../../lib/idmap';
import { procStartTime } from '../../lib/procinfo';
import type { NscopeEvent, RunOptions } from '../../protocol/types';
import { shiftedLayerPaths, shiftedLayers, shiftOwners } from '../../rootfs/idmap-copy';
import { etcMounts, writeEtcFiles, writeHostNetworkEtcFiles } from '../../network/etc-files';
import { networkRequest } from '../../network/request';
import { exposedFrom } from '../../network/ports';
import { volumesFrom } from '../../volumes/volumes-from';
import { writeInitLayer } from '../../rootfs/initlayer';
import { overlayDirs, rootfsLayout } from '../../rootfs/layout';
import { makeFifo } from '../fifo';
import { containerResources, limitsFromArgs, swappinessFromOptions } from '../limits';
import { checkName, newId, randomName } from '../names';
import { specFromOptions } from '../options';
import { withHome } from '../user';
import { readLayeredFile } from '../../rootfs/lookup';
import { buildPlan } from '../plan';
import type { ContainerRecord } from '../record';
import { spawnShim, writePlan as writePlanFile } from '../shim';
import type { Spec } from '../spec';
import { ttyDimension } from '../tty-size';
import { allocateIdMap, parseUserns, releaseIdMap } from '../userns';
import { parseRestartPolicy } from '../restart-policy';
import { checkStopSignal, checkStopTimeout } from '../stop-options';
import { checkRunOptions } from '../validate-options';
import { checkHealthConfig, imageHealthConfig, imageShell, mergeHealthConfig } from '../healthcheck';
import { planMounts, prepareVolumes } from '../../volumes/container-mounts';
import { type ContainerContext, emitEvent, layout, paths, pathsOf, save } from './context';
import { onExit } from './exit';
import { execFailureCode, recordExecFailure } from './exec-failure';
import { joinedNetworkFiles } from './network';
import { cgroupParentOf } from './cgroup-parent';
import { blockIOFromOptions } from '../block-io-options';
import { logConfigOf } from '../log-config';

export async function create(ctx: ContainerContext, opts: RunOptions): Promise<{ id: string; name: string; warnings: string[] }> {
  checkRunOptions(opts);
  if (!opts.image) throw invalid('create: no image given');
  // Docker's --runtime names an OCI runtime of the daemon's; nscope's containers are its own
  if (opts.runtime && opts.runtime !== 'nscope') throw invalid(`unknown or invalid runtime name: ${opts.runtime.slice(0, 64)} (nscope runs its containers itself: --runtime nscope, or none)`);
  for (const k of Object.keys(opts.annotations ?? {})) if (!k.trim()) throw invalid('--annotation: a key must not be empty');
  const image = await resolveImage(ctx, opts.image);
  const name = opts.name !== undefined ? checkName(opts.name) : randomName((n) => hasName(ctx, n));
  if (hasName(ctx, name)) throw conflict(`the container name "${name}" is already in use by container ${[...ctx.records.values()].find((x) => x.name === name)!.id.slice(0, 12)}`);
  const limits = limitsFromArgs(opts);
  if (opts.oomKillDisable) limits.oomKillDisable = true;
  const stopSignal = checkStopSignal(opts.stopSignal) ?? cfg0(image).StopSignal;
  const logConfig = logConfigOf(opts.logDriver, opts.logOpts);
  const stopTimeout = checkStopTimeout(opts.stopTimeout);
  const restartPolicy = opts.restart === undefined || opts.restart === '' ? undefined : parseRestartPolicy(opts.restart);
  // Docker's CLI refuses this pair (an auto-removed container has nothing to restart)
  if (restartPolicy && restartPolicy.name !== 'no' && opts.rm) throw invalid('conflicting options: cannot specify both --restart and --rm');
  const id = newId();
  // as Docker: on the host's network a container is known by the host's name (its UTS namespace is still its own)
  // --network container:NAME: the other's /etc/hosts, resolv.conf, hostname and its names (Docker's)
  const joined = joinedNetworkFiles(ctx, typeof opts.net === 'string' ? opts.net : undefined);
  const hostname = opts.hostname ?? joined?.hostname ?? (opts.net === 'host' ? os.hostname() : id.slice(0, 12));
  if (opts.hostname !== undefined && !/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/.test(opts.hostname)) throw invalid(`--hostname: "${opts.hostname}" is not a valid host name`);
  const cfg = image.config.config ?? {};
  const healthcheck = mergeHealthConfig(checkHealthConfig(opts.healthcheck), imageHealthConfig(cfg.Healthcheck));
  const shell = imageShell(cfg.Shell);
  // taken and recorded with no await in between: two creates never get the same range
  const userns = parseUserns(opts.userns);
  const idMap = userns ? allocateIdMap(userns.size, pathsOf(ctx, id).dir, [...ctx.records.values()].flatMap((x) => x.idMap ?? [])) : undefined;
  const planned = planMounts(ctx.volumes, {
    volumes: opts.volumes, mounts: opts.mounts, tmpfs: opts.tmpfs, imageVolumes: cfg.Volumes,
    lxcfs: opts.lxcfs ?? ctx.lxcfs.byDefault, lxcfsDir: ctx.lxcfs.dir,
    inherited: volumesFrom(opts.volumesFrom, (ref) => ctx.find(ref), ctx.lxcfs.dir),
  });
  // --expose adds to the image's EXPOSE: what -P publishes
  const exposed = exposedFrom(opts.expose);
  const net = networkRequest(ctx.net.store, opts, { ...cfg.ExposedPorts, ...exposed });
  const spec = specFromOptions({ opts: { ...opts, net: net.namespace, ...(joined?.domainname && !opts.domainname ? { domainname: joined.domainname } : {}) }, image: cfg, layers: image.layerDirs, hostname, containerPid: (ref) => runningPid(ctx, ref), idMap, mounts: planned.specMounts });
  const parent = cgroupParentOf(ctx, opts.cgroupParent);
  const cgroupRel = `${parent.rel}/${id}`;
  spec.linux!.cgroupsPath = `/${cgroupRel}`;
  const blkio = blockIOFromOptions(opts, ctx.cgroups.blockWeights);
  const swappiness = swappinessFromOptions(opts.memorySwappiness, ctx.cgroups.version, blkio.warnings);
  spec.linux!.resources = containerResources(limits, {
    devices: spec.linux!.resources?.devices, blockIO: blkio.blockIO, ...(swappiness !== undefined ? { memory: { swappiness } } : {}),
  });

  const p = pathsOf(ctx, id, !!opts.rm);
  const rootfs = rootfsLayout(ctx.root, p.dir, image.layerDirs, p.run);
  const r: ContainerRecord = {
    // with --init the user's command, as Docker shows it (the init is in the spec)
    id, name, image: image.name, imageRef: opts.image, imageId: image.id, command: opts.init ? spec.process.args.slice(2) : spec.process.args, created: new Date().toISOString(),
    status: 'created', autoRemove: !!opts.rm, hostname, limits, cgroupRel, layers: image.layerDirs,
    ...(parent.given ? { cgroupParent: parent.given, cgroupParentsMade: parent.made } : {}),
    ...(logConfig ? { logConfig } : {}),
    labels: opts.labels ?? {}, ...(opts.annotations && Object.keys(opts.annotations).length ? { annotations: opts.annotations } : {}), stopSignal, ...(stopTimeout !== undefined ? { stopTimeout } : {}), tty: !!opts.tty, interactive: !!opts.interactive,
    ...(opts.user || cfg.User ? { user: opts.user || cfg.User } : {}),
    ...(idMap ? { idMap } : {}),
    ...(planned.infos.length ? { mounts: planned.infos, volumes: planned.volumes } : {}),
    ...(net.request ? { network: net.request } : {}),
    ...(opts.lookupAtStart ? { lookupAtStart: true } : {}),
    ...(healthcheck ? { healthcheck } : {}),
    ...(healthcheck && shell ? { shell } : {}),
    ...(Object.keys(exposed).length ? { exposed: Object.keys(exposed) } : {}),
    ...(restartPolicy && restartPolicy.name !== 'no' ? { restartPolicy, restartCount: 0 } : {}),
  };
  // with networks: /etc/hosts, resolv.conf and hostname bind-mounted from its directory, kept current by the helper
  // (with --network none too when --add-host or --dns asks for lines of its own)
  const etcFilesOwn = !!(net.request?.networks.length || net.request?.extraHosts || net.request?.dns);
  // on the host's network: copies of the host's /etc/hosts and resolv.conf (Docker's), not the init layer's
  if (etcFilesOwn || net.hostEtc) spec.mounts!.push(...etcMounts(p.dir, !!opts.readOnly));
  else if (joined) spec.mounts!.push(...joined.mounts);
  spec.process.terminal = !!opts.tty;
  const term = { rows: ttyDimension(opts.rows, 'rows', 'create'), cols: ttyDimension(opts.cols, 'cols', 'create') };
  let cg: Cgroup | undefined;
  let madeVolumes: string[] = [];
  let spawning = false;
  try {
    fs.mkdirSync(p.dir, { mode: 0o700 });
    fs.mkdirSync(p.run, { mode: 0o700 });
    if (etcFilesOwn) writeEtcFiles(p.dir, hostname, idMap ? { uid: toHostId(idMap.uid, 0), gid: toHostId(idMap.gid, 0) } : undefined, { hosts: net.request?.extraHosts, dns: net.request?.dns });
    else if (net.hostEtc) writeHostNetworkEtcFiles(p.dir, hostname, net.hostEtc);
    ctx.records.set(id, r);
    // config.json first: after a crash from here until state.json exists,
    // recover() finds the cgroup to remove in it
    writeJsonAtomic(p.config, spec);
    cg = ctx.cgroups.create(cgroupRel, spec.linux!.resources!);
    for (const d of [rootfs.upper, rootfs.work]) fs.mkdirSync(d, { mode: 0o755 });
    if (idMap) giveToUserns(ctx, r, cg, rootfs.upper);
    makeRunDir(ctx, r);
    // the record is in ctx.records from here: `volume rm` sees this container as a user
    madeVolumes = await prepareVolumes(ctx.volumes, planned.volumes, {
      layers: image.layerDirs, scratch: p.run, idMap, holder: id, bindSources: planned.bindSourcesToMake,
      busy: (n) => [...ctx.records.values()].some((x) => x.id !== id && x.status === 'running' && x.volumes?.some((v) => v.name === n)),
    });
    spawning = true;
    const shim = await spawn(ctx, r, spec, cg, term);
    r.pid = shim.pid;
    r.pidStart = procStartTime(shim.pid) ?? undefined;
    r.shimPid = shim.shimPid;
    r.rootSwitch = shim.method;
    save(ctx, r);
    void shim.exited.then(() => onExit(ctx, id));
  } catch (e) {
    const code = spawning ? execFailureCode((e as Error).message) : undefined;
    if (code) {
      // Docker's create does not run the program: one that cannot be executed fails `start`, and
      // the container stays, never started, for inspect to explain (its cgroup comes back with a start)
      ctx.volumes.release(id);
      await cg!.destroy().catch(() => undefined);
      r.status = 'exited';
      recordExecFailure(ctx, r, code, (e as Error).message);
      emitEvent(ctx, 'container.created', r);
      return { id, name, warnings: [...blkio.warnings, ...(net.warnings ?? [])] };
    }
    ctx.records.delete(id);
    releaseIdMap(idMap);
    if (cg) await cg.destroy().catch(() => undefined);
    for (const d of [p.dir, p.run]) fs.rmSync(d, { recursive: true, force: true });
    // the mounts its volumes got for it go if no other container holds them
    ctx.volumes.release(id);
    for (const n of madeVolumes) {
      try { ctx.volumes.destroy(n); } catch (err) { process.stderr.write(`nscope: warning: ${(err as Error).message}\n`); }
    }
    throw e;
  }
  emitEvent(ctx, 'container.created', r);
  return { id, name, warnings: [...blkio.warnings, ...(net.warnings ?? [])] };
}

/**
 * The embedded default image `host` is built from the host's programs on
 * first use, the way Docker pulls a missing image: nothing to download.
 */
async function resolveImage(ctx: ContainerContext, ref: string) {
  try {
    return ctx.images.resolve(ref);
  } catch (e) {
    if (!(e instanceof NscopeError) || e.code !== 'not_found' || !/^host(:latest)?$/.test(ref)) throw e;
    const img = await ctx.images.buildFromHost('host');
    ctx.events.emit('event', { type: 'image.added', id: img.id, name: img.name, time: new Date().toISOString() } satisfies NscopeEvent);
    return ctx.images.resolve(ref);
  }
}

/**
 * What the root of a container's own user namespace must own: its cgroup
 * (delegated) and the top of its rw layer (the / it sees; below it, the
 * container's writes are owned by its mapped ids as they happen).
 */
export function giveToUserns(ctx: ContainerContext, r: ContainerRecord, cg: Cgroup, upper?: string): void {
  const uid = toHostId(r.idMap!.uid, 0);
  const gid = toHostId(r.idMap!.gid, 0);
  if (uid === undefined || gid === undefined) throw invalid('--userns: the mapping has no root');
  delegateCgroup(cg, ctx.cgroups.version, uid, gid);
  if (upper) fs.chownSync(upper, uid, gid);
}

/**
 * Writes the plan and spawns the shim. A container with its own user
 * namespace gets idmapped image layers; where the kernel refuses those,
 * from then on shifted copies of the layers (rootfs/idmap-copy.ts).
 */
export async function spawn(ctx: ContainerContext, r: ContainerRecord, spec: Spec, cg: Cgroup, term: { rows?: number; cols?: number } = {}) {
  const p = paths(ctx, r);
  if (r.idMap && !ctx.idmapLayers) await useShiftedLayers(ctx, r);
  writePlan(ctx, r, spec, cg, term);
  try {
    return await spawnShim(p.plan, { standby: ctx.shims });
  } catch (e) {
    if (!r.idMap || !ctx.idmapLayers || !/idmapped mount:/.test((e as Error).message)) throw e;
    process.stderr.write(`nscope: warning: ${(e as Error).message}; containers with --userns=auto get copies of their image layers instead\n`);
    ctx.idmapLayers = false;
    for (const f of [p.plan, p.fifo, p.ctl]) fs.rmSync(f, { force: true });
    await useShiftedLayers(ctx, r);
    writePlan(ctx, r, spec, cg, term);
    return spawnShim(p.plan, { standby: ctx.shims });
  }
}

/** Copies of the image layers owned by the container's range, and its init layer given to it too. */
async function useShiftedLayers(ctx: ContainerContext, r: ContainerRecord): Promise<void> {
  await shiftedLayers(ctx.root, r.layers, r.idMap!);
  await shiftOwners(layout(ctx, r).init, r.idMap!);
}

/**
 * The log's rotation: --log-opt's; with --log-driver none a small file cut
 * over and over, only there for an attached run to follow (`logs` refuses it).
 */
function logRotation(c: ContainerRecord['logConfig']): { logRotate?: { maxSize: number; maxFiles: number } } {
  if (c?.type === 'none') return { logRotate: { maxSize: 1 << 20, maxFiles: 1 } };
  return c?.maxSize ? { logRotate: { maxSize: c.maxSize, maxFiles: c.maxFiles ?? 1 } } : {};
}

/** The shim's plan for the container, and the fifos it opens. */
function writePlan(ctx: ContainerContext, r: ContainerRecord, spec: Spec, cg: Cgroup, term: { rows?: number; cols?: number } = {}): void {
  const p = paths(ctx, r);
  const attach = r.tty || r.interactive ? { socket: p.attach, ctl: p.ctl, interactive: !!r.interactive, ...term } : undefined;
  let rootfs = layout(ctx, r);
  const copies = !!r.idMap && !ctx.idmapLayers;
  if (copies) rootfs = { ...rootfs, lower: shiftedLayerPaths(ctx.root, r.layers, r.idMap!) };
  // HOME as runc gives it, from the passwd its layers (its rw layer on top) hold now: on the process, not in config.json
  const passwd = readLayeredFile([...r.layers, rootfs.upper], 'etc/passwd');
  const proc = { ...spec.process, env: withHome(spec.process.env ?? [], spec.process.user?.uid ?? 0, passwd) };
  const plan = buildPlan({
    spec: { ...spec, process: proc }, rootfs: rootfs.mountpoint, bundle: p.dir, overlay: overlayDirs(rootfs, { volatile: r.autoRemove }), cgroupProcs: cg.joinFiles(),
    logFile: p.log, exitFile: p.exit, pidFile: p.pid, fifo: p.fifo, attach, cgroupMounts: ctx.cgroupMounts,
    ...logRotation(r.logConfig),
    seccompCacheDir: ctx.run.seccompCache(), idmapLayers: !copies, lookupAtStart: r.lookupAtStart,
  });
  writePlanFile(p.plan, plan.buffer);
  makeFifo(p.fifo);
  if (attach) makeFifo(p.ctl, 0o600);
}

/** The container's runtime dir on the tmpfs: its init layer and its rootfs mount point. */
export function makeRunDir(ctx: ContainerContext, r: ContainerRecord): void {
  const l = layout(ctx, r);
  fs.mkdirSync(paths(ctx, r).run, { recursive: true, mode: 0o700 });
  for (const d of [l.mountpoint, l.init]) fs.mkdirSync(d, { mode: 0o755 });
  writeInitLayer(l.init, r.hostname);
}

/** The image's config (StopSignal, …), read before anything is made. */
function cfg0(image: { config: { config?: { StopSignal?: string } } }): { StopSignal?: string } { return image.config.config ?? {}; }

function hasName(ctx: ContainerContext, n: string) { for (const r of ctx.records.values()) if (r.name === n) return true; return false; }

function runningPid(ctx: ContainerContext, ref: string): number {
  const r = ctx.find(ref);
  if (r.status !== 'running' || !r.pid) throw conflict(`container ${ref} is not running`);
  return r.pid;
}
