// `nscope run` options + the image's config -> an OCI runtime spec, the way
// Docker turns `docker run` flags into one. Every user value is checked here.
import * as fs from 'fs';
import * as path from 'path';
import { invalid } from '../errors';
import type { RunOptions } from '../protocol/types';
import { readLayeredFile } from '../rootfs/lookup';
import { applySecurity, parseSecurityOpts } from '../security/security-opts';
import { ALL_CAPS, capNumber } from './capabilities';
import { applyUlimits } from './ulimits';
import { parseBytes } from '../cgroups/units';
import { deviceCgroupRule, deviceFromFlag } from './devices';
import { parseSysctls } from './sysctls';
import { withInit } from './init-process';
import { defaultSpec, type Mount, type Namespace, type NamespaceType, type Spec } from './spec';
import type { IdMap } from '../lib/idmap';
import { resolveUserFrom, type ResolvedUser } from './user';

export interface ImageConfigLike {
  Env?: string[];
  /** a list; a string in a hand-made config is one word, as Docker's strslice reads it */
  Cmd?: string[] | string;
  Entrypoint?: string[] | string;
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

const NS_OPTIONS: [keyof RunOptions, NamespaceType][] = [
  ['net', 'network'], ['pid', 'pid'], ['ipc', 'ipc'], ['uts', 'uts'], ['cgroupns', 'cgroup'],
];

/** Resolves --net/--pid/... values: private (default), host, none (net), container:ID, or a namespace path. */
function namespaceFor(type: NamespaceType, value: string | undefined, flag: string, containerPid: (ref: string) => number): Namespace | null {
  if (value === undefined || value === '' || value === 'private' || (value === 'none' && type === 'network')) return { type };
  // Docker's other IPC modes are private namespaces too: "shareable" may be joined (any nscope
  // container's may: container:NAME), "none" has no /dev/shm (dropped in specFromOptions)
  if (type === 'ipc' && (value === 'shareable' || value === 'none')) return { type };
  if (value === 'host') return null;
  const file = type === 'network' ? 'net' : type;
  if (value.startsWith('container:')) return { type, path: `/proc/${containerPid(value.slice(10))}/ns/${file}` };
  if (/^\/proc\/\d+\/ns\/[a-z_]+$/.test(value) || (type === 'network' && /^\/(var\/)?run\/netns\/[A-Za-z0-9_.-]+$/.test(value))) {
    if (!fs.existsSync(value)) throw invalid(`--${flag}: ${value} does not exist`);
    return { type, path: value };
  }
  const others = type === 'network' ? ', none' : type === 'ipc' ? ', shareable, none' : '';
  throw invalid(`--${flag}: "${value}" is not one of private, host${others}, container:NAME, /proc/PID/ns/${file}`);
}

function checkEnv(e: string): string {
  if (typeof e !== 'string' || !/^[^=\0]+=/.test(e) || e.includes('\0')) throw invalid(`-e: "${String(e).slice(0, 64)}" is not KEY=VALUE`);
  return e;
}

function mergeEnv(base: string[], extra: string[]): string[] {
  const out = new Map<string, string>();
  for (const e of [...base, ...extra]) out.set(e.slice(0, e.indexOf('=')), e);
  return [...out.values()];
}

/** USER[:GROUP] (names or numbers) -> uid, gid and supplementary groups from the image's files. */
export function resolveUser(spec: string, layers: string[]): ResolvedUser {
  return resolveUserFrom(spec, { passwd: readLayeredFile(layers, 'etc/passwd'), group: readLayeredFile(layers, 'etc/group') });
}

/** --group-add: a GID, or a group's name in the image's /etc/group (Docker's words when it is not there). */
function groupId(g: string, layers: string[]): number {
  if (/^\d+$/.test(g)) {
    const n = Number(g);
    if (n > 0xfffffffe) throw invalid(`--group-add: ${g}: id out of range`);
    return n;
  }
  const ge = (readLayeredFile(layers, 'etc/group') ?? '').split('\n').map((l) => l.split(':')).find((x) => x.length >= 3 && x[0] === g);
  if (!ge || !/^\d+$/.test(ge[2])) throw invalid(`Unable to find group ${g}: no matching entries in group file`);
  return Number(ge[2]);
}

export interface SpecInputs {
  opts: RunOptions;
  image: ImageConfigLike;
  layers: string[];
  hostname: string;
  containerPid: (ref: string) => number;
  /** --userns=auto: the container's own user namespace with these mappings */
  idMap?: IdMap;
  /** volumes, binds, tmpfs and lxcfs mounts, checked and planned by volumes/container-mounts.ts */
  mounts?: Mount[];
}

/** The image's Entrypoint or Cmd as a list: a string is one word (Docker's strslice), anything else but strings refused naming the field. */
function words(v: string[] | string | undefined | null, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalid(`the image's ${field} is not a list of strings`);
  return v;
}

export function specFromOptions({ opts, image, layers, hostname, containerPid, idMap, mounts }: SpecInputs): Spec {
  const spec = defaultSpec();
  const proc = spec.process;
  const security = parseSecurityOpts(opts.securityOpt);

  // Command: --entrypoint replaces the image's, and then the image's Cmd too (as in Docker).
  const entrypoint = opts.entrypoint ?? words(image.Entrypoint, 'Entrypoint');
  const cmd = opts.cmd && opts.cmd.length ? opts.cmd : (opts.entrypoint ? [] : words(image.Cmd, 'Cmd'));
  proc.args = [...entrypoint, ...cmd];
  if (proc.args.length === 0) throw invalid('no command specified: the image has no Cmd and none was given');
  for (const a of proc.args) if (typeof a !== 'string' || a.includes('\0')) throw invalid('command: arguments must be strings without NUL bytes');

  // TERM=xterm (runc spec's default) only with a console, as Docker sets it: without one it makes programs write colours into logs
  proc.env = mergeEnv(proc.env!.filter((e) => opts.tty || !e.startsWith('TERM=')), [...(image.Env ?? []), `HOSTNAME=${hostname}`, ...(opts.env ?? []).map(checkEnv)]);
  const cwd = opts.workdir || image.WorkingDir || '/';
  if (!cwd.startsWith('/')) throw invalid(opts.workdir ? `--workdir: "${cwd}" must be an absolute path` : `the image's WorkingDir ${JSON.stringify(cwd)} is not an absolute path (as Docker, it is refused)`);
  proc.cwd = path.posix.normalize(cwd);
  // no user at all is uid 0 looked up as Docker does: root's gid and the groups that list root
  proc.user = resolveUser(opts.user || image.User || '0', layers);
  proc.rlimits = applyUlimits(proc.rlimits, opts.ulimits);

  if (opts.privileged) {
    proc.capabilities = { bounding: [...ALL_CAPS], effective: [...ALL_CAPS], permitted: [...ALL_CAPS], inheritable: [], ambient: [] };
    proc.noNewPrivileges = false;
    spec.linux!.maskedPaths = [];
    spec.linux!.readonlyPaths = [];
    spec.linux!.resources = { ...spec.linux!.resources, devices: [{ allow: true, access: 'rwm' }] };
    spec.mounts = spec.mounts!.map((m) => m.type === 'sysfs' ? { ...m, options: (m.options ?? []).filter((o) => o !== 'ro') } : m);
  } else if (opts.capAdd?.length || opts.capDrop?.length) {
    const norm = (c: string) => `CAP_${c.toUpperCase().replace(/^CAP_/, '')}`;
    let caps = new Set(proc.capabilities!.bounding);
    for (const c of opts.capDrop ?? []) {
      if (c.toUpperCase() === 'ALL') caps = new Set();
      else { capNumber(c); caps.delete(norm(c)); }
    }
    for (const c of opts.capAdd ?? []) {
      if (c.toUpperCase() === 'ALL') ALL_CAPS.forEach((x) => caps.add(x));
      else { capNumber(c); caps.add(norm(c)); }
    }
    const list = [...caps];
    proc.capabilities = { bounding: list, effective: list, permitted: list, inheritable: [], ambient: [] };
  }

  // Namespaces
  const namespaces: Namespace[] = [{ type: 'mount' }];
  for (const [key, type] of NS_OPTIONS) {
    const ns = namespaceFor(type, opts[key] as string | undefined, key === 'cgroupns' ? 'cgroupns' : String(key), containerPid);
    if (ns) namespaces.push(ns);
  }
  if (idMap) {
    if (opts.privileged) throw invalid('--privileged cannot be combined with --userns=auto (as with Docker: use --userns=host)');
    for (const [key] of NS_OPTIONS) {
      if (opts[key] === 'host') throw invalid(`--${key === 'net' ? 'network' : key}=host cannot be combined with --userns=auto: the host's namespaces belong to the host's user namespace`);
    }
    namespaces.push({ type: 'user' });
    spec.linux!.uidMappings = idMap.uid;
    spec.linux!.gidMappings = idMap.gid;
  }
  spec.linux!.namespaces = namespaces;
  const newUts = namespaces.some((n) => n.type === 'uts' && !n.path);
  if (newUts) spec.hostname = hostname;
  else {
    if (opts.hostname) throw invalid('--hostname cannot be used with --uts host or a joined UTS namespace');
    delete spec.hostname;
  }
  if (opts.domainname !== undefined && opts.domainname !== '') {
    if (!newUts) throw invalid('--domainname cannot be used with --uts host or a joined UTS namespace');
    // a UTS name: at most 64 bytes (the kernel's __NEW_UTS_LEN), a host name's characters
    if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,63})$/.test(opts.domainname)) throw invalid(`--domainname: "${opts.domainname.slice(0, 80)}" is not a valid domain name`);
    spec.domainname = opts.domainname;
  }
  if (opts.oomScoreAdj !== undefined) {
    // Docker's words and range; the kernel's is the same
    if (!Number.isInteger(opts.oomScoreAdj) || opts.oomScoreAdj < -1000 || opts.oomScoreAdj > 1000) throw invalid(`Invalid value ${opts.oomScoreAdj}, range for oom score adj is [-1000, 1000]`);
    proc.oomScoreAdj = opts.oomScoreAdj;
  }

  if (opts.readOnly) spec.root.readonly = true;

  spec.linux!.sysctl = parseSysctls(opts.sysctls, namespaces);
  if (!spec.linux!.sysctl) delete spec.linux!.sysctl;
  if (opts.shmSize !== undefined && opts.shmSize !== '') {
    // Docker's: 0 is the default (64 MiB), the size in bytes otherwise
    const n = parseBytes(opts.shmSize, '--shm-size');
    if (n > 0) spec.mounts = spec.mounts!.map((m) => m.destination === '/dev/shm' ? { ...m, options: [...(m.options ?? []).filter((o) => !o.startsWith('size=')), `size=${n}`] } : m);
  }
  if (opts.ipc === 'none') spec.mounts = spec.mounts!.filter((m) => m.destination !== '/dev/shm');
  if (opts.groupAdd?.length) {
    const gids = new Set(proc.user.additionalGids ?? []);
    for (const g of opts.groupAdd) gids.add(groupId(g, layers));
    proc.user.additionalGids = [...gids];
  }
  if (opts.devices?.length) {
    if (idMap) throw invalid('--device cannot be combined with --userns=auto (its nodes would be bound from the host, and the device cgroup is the host\'s)');
    for (const v of opts.devices) {
      const { device, rule } = deviceFromFlag(v);
      (spec.linux!.devices ??= []).push(device);
      (spec.linux!.resources!.devices ??= []).push(rule);
    }
  }

  // --device-cgroup-rule: access to devices by number, no node made (a program mknods its own, as udev would)
  for (const v of opts.deviceCgroupRules ?? []) (spec.linux!.resources!.devices ??= []).push(deviceCgroupRule(v));

  // -v, --mount, --tmpfs, the image's VOLUMEs, lxcfs: after the defaults, so they cover them
  spec.mounts!.push(...(mounts ?? []));
  // Docker's rule (daemon/oci_linux.go): a bind asking for shared propagation makes the root
  // rshared, one asking for slave rslave; on a private root the bind's copy of its source would
  // be private too and nothing the host mounts there would reach the container
  const props = (mounts ?? []).flatMap((m) => (m.type === 'bind' ? m.options ?? [] : []));
  if (props.some((o) => o === 'shared' || o === 'rshared')) spec.linux!.rootfsPropagation = 'rshared';
  else if (props.some((o) => o === 'slave' || o === 'rslave')) spec.linux!.rootfsPropagation = 'rslave';
  if (opts.init) {
    const init = withInit(proc.args);
    spec.mounts!.push(init.mount);
    proc.args = init.args;
  }
  spec.annotations = { ...(opts.labels ?? {}), ...(opts.annotations ?? {}) };
  applySecurity(spec, security, !!opts.privileged);
  return spec;
}
