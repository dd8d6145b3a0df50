// The runc-compatible runtime (bin/nscope-runtime): create/start/state/kill/
// delete on an OCI bundle, without the daemon, on the same plan + shim +
// cgroups code the daemon uses. State lives under --root (one dir per id).
import * as fs from 'fs';
import type { Socket } from 'net';
import * as path from 'path';
import { detect, detectCgroups, driverFor } from '../cgroups/detect';
import { resolveCgroupsPath } from '../cgroups/paths';
import { validateResources } from '../cgroups/validate';
import type { Cgroup } from '../cgroups/types';
import { conflict, invalid, notFound, NscopeError } from '../errors';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../lib/atomic';
import { freezerFile } from '../rootfs/commit-freeze';
import { makeFifo, releaseFifo } from './fifo';
import { checkHooks, runHooks } from './hooks';
import { OCI_VERSION } from './oci-features';
import { buildPlan } from './plan';
import { containerCgroupMounts } from './cgroup-mounts';
import { isSameProcess, procStartTime } from '../lib/procinfo';
import { startShim, writePlan } from './shim';
import { connectUnix } from './unix-socket';
import { signalNumber } from './signals';
import { DEFAULT_DEVICE_RULES, type Spec } from './spec';
import { isFrozen, thawForKill } from './oci-freeze';
import { systemdCgroupsPath } from '../cgroups/systemd-path';
import { recordRuntimeRoot } from './runtime-roots';
import { preservedFds } from './preserve-fds';
import { reapExiting } from './shim-reap';
import { dropUnknownCaps } from './oci-caps';
import { specTypeError } from './oci-spec-types';

export const DEFAULT_RUNTIME_ROOT = '/run/nscope-runtime';

export interface RuntimeState {
  id: string;
  bundle: string;
  pid: number;
  pidStart?: number;
  shimPid: number;
  created: string;
  cgroupRel: string;
  rootSwitch: string;
  /** the rootfs directory (bundle + root.path), for `state` without reading the spec again */
  rootfs?: string;
  annotations?: Record<string, string>;
}

export type OciStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface OciState { ociVersion: string; id: string; status: OciStatus; pid: number; bundle: string; rootfs?: string; created?: string; owner?: string; annotations?: Record<string, string> }

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,1023}$/;

export class OciRuntime {
  /** `systemdCgroup`: runc's --systemd-cgroup, cgroupsPath is "slice:prefix:name" (see cgroups/systemd-path.ts) */
  constructor(private readonly root = DEFAULT_RUNTIME_ROOT, private readonly opts: { systemdCgroup?: boolean } = {}) {}

  /** Compiled seccomp filters, by digest (not a container: no id starts with a dot); the shim makes it. */
  private seccompCache(): string { return path.join(this.root, '.seccomp'); }

  private dir(id: string) {
    if (!ID_RE.test(id)) throw invalid(`invalid container id "${id.slice(0, 64)}"`);
    const d = path.join(this.root, id);
    return {
      dir: d, state: path.join(d, 'state.json'), config: path.join(d, 'config.json'), exit: path.join(d, 'exit.json'), fifo: path.join(d, 'exec.fifo'), plan: path.join(d, 'plan'), pid: path.join(d, 'init.pid'),
      attach: path.join(d, 'attach.sock'), ctl: path.join(d, 'ctl'), hooks: path.join(d, 'hooks.fifo'),
    };
  }

  private load(id: string): RuntimeState {
    const p = this.dir(id);
    const s = readJson<RuntimeState>(p.state);
    if (!s) throw notFound(`container "${id}" does not exist`);
    if (!s.pid) {
      // written before the shim reported: the init's pid may be in init.pid
      const pid = Number(fs.readFileSync(p.pid, { encoding: 'utf8', flag: 'a+' }) || 0);
      if (pid) { s.pid = pid; s.pidStart = procStartTime(pid) ?? undefined; }
    }
    return s;
  }

  /**
   * The spec a container was created with: a copy kept in its state dir at
   * create, since the OCI spec says later changes to the bundle's config.json
   * must not affect the container (start's hooks, exec, delete's hooks).
   */
  containerSpec(id: string): Spec {
    const kept = readJson<Spec>(this.dir(id).config);
    if (kept) return kept;
    return this.spec(this.load(id).bundle); // made by an older nscope-runtime
  }

  /** The bundle's config.json, checked to be a runtime spec. */
  spec(bundle: string): Spec {
    const file = path.join(bundle, 'config.json');
    let spec: Spec;
    try { spec = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) {
      throw invalid(`${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    const typeError = specTypeError(spec);
    if (typeError) throw invalid(`${file}: ${typeError}`);
    if (!spec.root?.path || !spec.process) throw invalid(`${file}: not an OCI runtime spec (root.path and process are required)`);
    return spec;
  }

  status(id: string): OciStatus {
    const s = this.load(id);
    const p = this.dir(id);
    if (fs.existsSync(p.exit)) return 'stopped';
    if (!s.shimPid && !s.pid) return 'creating';
    if (!isSameProcess(s.pid, s.pidStart)) return 'stopped';
    // as runc: the freezer first, a created container can be paused too
    if (isFrozen(s.cgroupRel)) return 'paused';
    return fs.existsSync(p.fifo) ? 'created' : 'running';
  }

  state(id: string): OciState {
    const s = this.load(id);
    const status = this.status(id);
    let rootfs = s.rootfs ?? '';
    if (!rootfs) try { rootfs = path.resolve(s.bundle, this.containerSpec(id).root.path); } catch { /* made by an older nscope-runtime, bundle gone */ }
    return ociState({ ...s, id, rootfs }, status);
  }

  /**
   * `consoleSocket`: runc's --console-socket, where the console's pty master
   * goes; `attach`: `run` in the foreground keeps the console in the shim and
   * relays it through the shim's attach socket (see attachConsole()).
   * Without `attach` or `monitor`, as runc: no nscope process stays behind,
   * the init (waiting on the exec fifo) is inherited by the caller's
   * subreaper (containerd's shim, conmon), which reaps it and so learns its
   * exit; `monitor`: the shim stays its parent and records the exit (`run`
   * in the foreground waits for it).
   */
  async create(id: string, bundleArg: string, opts: { pidFile?: string; noPivot?: boolean; inheritStdio?: boolean; consoleSocket?: string; attach?: { rows?: number; cols?: number }; monitor?: boolean; preserveFds?: number } = {}): Promise<OciState> {
    const p = this.dir(id);
    const bundle = path.resolve(bundleArg);
    const spec = this.spec(bundle);
    // (the kept copy too: exec from it would warn again)
    spec.process = dropUnknownCaps(spec.process);
    // runc's rules and messages
    if (spec.process.terminal && !opts.consoleSocket && !opts.attach) throw invalid('cannot allocate tty if nscope-runtime will detach without setting console socket (--console-socket)');
    if (!spec.process.terminal && opts.consoleSocket) throw invalid('cannot use console socket if nscope-runtime will not allocate tty (process.terminal is false)');
    const consoleSocket = opts.consoleSocket && path.resolve(opts.consoleSocket);
    const attach = spec.process.terminal && !consoleSocket ? { socket: p.attach, ctl: p.ctl, interactive: true, ...opts.attach } : undefined;
    validateResources(spec.linux?.resources);
    checkHooks(spec.hooks);
    const preserveFds = preservedFds(opts.preserveFds);
    fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    try { fs.mkdirSync(p.dir, { mode: 0o700 }); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw conflict(`container "${id}" already exists`);
      throw e;
    }
    const rootfs = path.resolve(bundle, spec.root.path);
    const detach = !attach && !opts.monitor;
    // prestart and createRuntime hooks run while the init waits before pivot_root, on a fifo held here
    const hookSync = spec.hooks?.prestart?.length || spec.hooks?.createRuntime?.length ? p.hooks : undefined;
    let hookFd = -1;
    let cg: Cgroup | undefined;
    try {
      if (!fs.statSync(rootfs, { throwIfNoEntry: false })?.isDirectory()) throw invalid(`root.path: ${rootfs} is not a directory`);
      const found = detect();
      const driver = driverFor(found);
      const rel = resolveCgroupsPath(this.opts.systemdCgroup ? systemdCgroupsPath(spec.linux?.cgroupsPath, id) : spec.linux?.cgroupsPath, driver.ownCgroup(), id);
      // Recorded before anything runs, so `delete --force` can clean up a create that died half-way.
      const pending: RuntimeState = { id, bundle, pid: 0, shimPid: 0, created: new Date().toISOString(), cgroupRel: rel, rootSwitch: 'none', rootfs, annotations: spec.annotations };
      writeJsonAtomic(p.state, pending);
      // As runc does, the devices every container needs (null, zero, tty, ptmx, pts, ...)
      // are allowed after the spec's own rules: `runc spec` denies everything else.
      const resources = { ...spec.linux?.resources, devices: [...(spec.linux?.resources?.devices ?? []), ...DEFAULT_DEVICE_RULES.filter((r) => r.allow)] };
      cg = driver.create(rel, resources);
      const plan = buildPlan({
        spec, rootfs, bundle, cgroupProcs: cg.joinFiles(), exitFile: p.exit, pidFile: p.pid, fifo: p.fifo, allowChroot: !opts.noPivot,
        cgroupMounts: containerCgroupMounts(found), consoleSocket, attach, seccompCacheDir: this.seccompCache(),
        detach, preserveFds: preserveFds.length, earlyPid: true,
        hookState: { ociVersion: OCI_VERSION, id, bundle, annotations: spec.annotations }, hookSync,
      });
      writePlan(p.plan, plan.buffer);
      makeFifo(p.fifo);
      if (hookSync) {
        makeFifo(hookSync, 0o600);
        // read-write: the shim's open for reading does not wait; closed, the waiting init reads end-of-file
        hookFd = fs.openSync(hookSync, fs.constants.O_RDWR);
      }
      if (attach) makeFifo(p.ctl, 0o600);
      const started = startShim(p.plan, { inheritStdio: opts.inheritStdio ?? true, preserveFds });
      let shim: ReturnType<typeof started.created>;
      const frontFiles = (pid: number, pidStart: number | undefined) => writeFrontFiles(p.dir, {
        st: { ...pending, pid, pidStart }, state: ociState({ ...pending, pid }, 'created'), fifo: p.fifo,
        cgroupDirs: cg!.procsFiles().map((f) => path.dirname(f)), version: driver.version, spec,
      });
      let early = 0;
      let earlyStart: number | undefined;
      try {
        // While the shim sets the container up: what must only be there once create returns.
        // (Should it fail, the container is made all the same, then removed below.)
        writeJsonAtomic(p.config, spec);
        recordRuntimeRoot(path.resolve(this.root));
        // the init exists as soon as the shim has cloned it: what the front door reads of it too
        early = started.initPid();
        if (early) frontFiles(early, earlyStart = procStartTime(early) ?? undefined);
      } finally {
        // the create hooks run while the container is being created: "creating" (the spec's word, runc's),
        // prestart and createRuntime here, in the runtime's namespaces, when the init says it is at its
        // hook point; createContainer by the init itself, right after (native/shim/hooks.c)
        shim = started.created((pid) => {
          try {
            const creating = ociState({ ...pending, pid }, 'creating');
            runHooks('prestart', spec.hooks?.prestart, creating, this.root);
            runHooks('createRuntime', spec.hooks?.createRuntime, creating, this.root);
            fs.writeSync(hookFd, '1');
          } finally {
            fs.closeSync(hookFd);
            hookFd = -1;
          }
        });
      }
      const pidStart = early === shim.pid ? earlyStart : procStartTime(shim.pid) ?? undefined;
      const st: RuntimeState = { ...pending, pid: shim.pid, pidStart, shimPid: shim.shimPid, rootSwitch: shim.method };
      writeJsonAtomic(p.state, st);
      // the shim has just said so: the init waits on the exec fifo
      const state = ociState(st, 'created');
      if (early !== shim.pid) frontFiles(st.pid, st.pidStart);
      if (opts.pidFile) writePidFile(opts.pidFile, shim.pid);
      // without a monitor the shim exits once it has said "ok": the caller's subreaper inherits the init alone, as from runc
      if (detach) reapExiting(started.spawned);
      return state;
    } catch (e) {
      if (hookFd >= 0) fs.closeSync(hookFd);
      if (cg) await cg.destroy().catch(() => undefined);
      fs.rmSync(p.dir, { recursive: true, force: true });
      throw e;
    }
  }

  async start(id: string): Promise<void> {
    const s = this.load(id);
    const status = this.status(id);
    if (status !== 'created') throw conflict(`cannot start a container that is ${status}`);
    const spec = this.containerSpec(id);
    await releaseFifo(this.dir(id).fifo, s.pid, s.pidStart);
    // the state as it was when the process started, even if it has ended since
    runHooks('poststart', spec.hooks?.poststart, { ...this.state(id), status: 'running', pid: s.pid }, this.root, { warnOnly: true });
  }

  /** The console of a container created with `attach`: its output from now on, input to it, and resizing. */
  async attachConsole(id: string): Promise<{ sock: Socket; resize(rows: number, cols: number): void }> {
    const p = this.dir(id);
    const sock = await connectUnix(p.attach);
    const resize = (rows: number, cols: number) => {
      try {
        const fd = fs.openSync(p.ctl, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
        try { fs.writeSync(fd, `r ${rows} ${cols}\n`); } finally { fs.closeSync(fd); }
      } catch { /* the container has ended */ }
    };
    return { sock, resize };
  }

  /** Every process of the container (its cgroup's), host pids. */
  pids(id: string): number[] {
    const s = this.load(id);
    if (this.status(id) === 'stopped') return [];
    return detectCgroups().open(s.cgroupRel).pids();
  }

  kill(id: string, signal: string | number = 'SIGTERM', all = false): void {
    const s = this.load(id);
    // 0 as kill(2) takes it (runc passes it on): "is the init still there", nothing sent
    const n = signal === 0 || signal === '0' ? 0 : signalNumber(signal);
    // runc's words: containerd takes "container not running" as "already gone", not as a failure
    if (this.status(id) === 'stopped') throw conflict(`${id}: container not running`);
    if (all) detectCgroups().open(s.cgroupRel).pids().forEach((pid) => { try { process.kill(pid, n); } catch { /* gone */ } });
    else process.kill(s.pid, n);
    // a paused container: the KILL acts only once thawed (as runc does)
    if (n === 9) thawForKill(s.cgroupRel);
  }

  /** Resolves with the exit status once the container's init is gone. */
  async wait(id: string): Promise<{ exitCode: number; signal: number }> {
    const s = this.load(id);
    const p = this.dir(id);
    for (;;) {
      const e = readJson<{ exitCode: number; signal: number }>(p.exit);
      if (e) return e;
      if (!isSameProcess(s.pid, s.pidStart) && !isSameProcess(s.shimPid, undefined)) return readJson(p.exit) ?? { exitCode: 255, signal: 0 };
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async delete(id: string, force = false): Promise<void> {
    let s: RuntimeState;
    try { s = this.load(id); } catch (e) {
      if (!(e instanceof NscopeError && e.code === 'not_found')) throw e;
      // as runc: a directory without state (an aborted create) goes, and `delete --force` of a
      // container that is not there succeeds (containerd's shim cleanup calls it after `delete`)
      fs.rmSync(this.dir(id).dir, { recursive: true, force: true });
      if (force) return;
      throw e;
    }
    const status = this.status(id);
    if (status !== 'stopped') {
      // as runc: a created container (its init still waiting on the fifo) is killed and deleted without --force
      if (!force && status !== 'created') throw conflict(`cannot delete container "${id}" that is not stopped: ${status}`);
      if (s.pid) {
        try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ }
        thawForKill(s.cgroupRel);
        if (s.shimPid) await this.wait(id);
      }
    }
    // destroy() also kills whatever is left in the cgroup (e.g. a half-created init)
    const cg = detectCgroups().open(s.cgroupRel, { ownedParents: 0 });
    await cg.destroy();
    let spec: Spec | undefined;
    try { spec = this.containerSpec(id); } catch { /* bundle gone */ }
    fs.rmSync(this.dir(id).dir, { recursive: true, force: true });
    if (spec) {
      const state = ociState({ ...s, id, rootfs: path.resolve(s.bundle, spec.root.path) }, 'stopped');
      runHooks('poststop', spec.hooks?.poststop, state, this.root, { warnOnly: true });
    }
  }

  /** What the commands acting on a live container (exec, pause, update, events) start from. */
  live(id: string): { state: RuntimeState; status: OciStatus; seccompCacheDir: string } {
    const state = this.load(id);
    return { state, status: this.status(id), seccompCacheDir: this.seccompCache() };
  }

  list(): OciState[] {
    if (!fs.existsSync(this.root)) return [];
    return fs.readdirSync(this.root).filter((id) => ID_RE.test(id)).flatMap((id) => { try { return [this.state(id)]; } catch { return []; } });
  }
}

/** runc's state JSON, its extra fields too (rootfs, created, owner): engines and tools read them. */
function ociState(s: RuntimeState, status: OciStatus): OciState {
  return { ociVersion: OCI_VERSION, id: s.id, status, pid: status === 'stopped' ? 0 : s.pid, bundle: s.bundle, rootfs: s.rootfs ?? '', created: s.created, owner: '', annotations: s.annotations };
}

/**
 * What the native front door (native/runtime-front/front.c) answers
 * start/state/kill/delete from without starting Node: `fast` (one "key value"
 * per line) and `state.tpl` (state's JSON with @STATUS@ and @PID@ to fill in).
 */
function writeFrontFiles(dir: string, o: { st: RuntimeState; state: OciState; fifo: string; cgroupDirs: string[]; version: 1 | 2; spec: Spec }): void {
  const lines = [`pid ${o.st.pid}`, `start ${o.st.pidStart ?? 0}`, `fifo ${o.fifo}`];
  const freezer = freezerFile(`/${o.st.cgroupRel}`, o.version);
  if (freezer) lines.push(`freezer ${freezer}`, `freeze-v2 ${o.version === 2 ? 1 : 0}`);
  for (const d of o.cgroupDirs) lines.push(`cgroup ${d}`);
  if (o.spec.hooks?.poststart?.length) lines.push('hook poststart');
  if (o.spec.hooks?.poststop?.length) lines.push('hook poststop');
  // a path with a newline cannot be one line: then there is no `fast`, and Node answers every call
  if (lines.some((l) => l.includes('\n'))) return;
  const tpl = JSON.stringify({ ...o.state, status: '@STATUS@', pid: '@PID@' }, null, 2).replace('"@PID@"', '@PID@') + '\n';
  writeFileAtomic(path.join(dir, 'state.tpl'), tpl);
  writeFileAtomic(path.join(dir, 'fast'), lines.join('\n') + '\n');
}

function writePidFile(file: string, pid: number) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, String(pid));
  fs.renameSync(tmp, file);
}
