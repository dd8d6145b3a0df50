// The three ways `run` asks for mounts, read as Docker reads them:
//   -v SOURCE:TARGET[:OPTS] / -v TARGET   (a name or nothing is a volume, an absolute path a bind)
//   --mount type=volume|bind|tmpfs,source=…,target=…,…   (docker/cli's key=value list)
//   --tmpfs TARGET[:size=…,mode=…,…]
// Each becomes a MountRequest; nothing is made on disk here.
import * as os from 'os';
import * as path from 'path';
import { invalid } from '../errors';
import { checkVolumeName } from './names';

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';
const PROPAGATIONS: Propagation[] = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

export interface MountRequest {
  type: 'volume' | 'bind' | 'tmpfs';
  /** a volume's name (absent: anonymous) or a bind's host path */
  source?: string;
  /** absolute, normalized */
  target: string;
  readOnly: boolean;
  /** volumes: do not copy the image's content into an empty volume */
  noCopy: boolean;
  /** binds */
  propagation?: Propagation;
  nonRecursive?: boolean;
  /** tmpfs: mount options (size=…, mode=…, noexec, …), checked */
  tmpfsOptions?: string[];
  /** volumes: labels for one made by this mount (--mount volume-label=) */
  labels?: Record<string, string>;
  /** volumes: the local driver's options for one made by this mount (--mount volume-opt=type=…), checked where it is planned */
  driverOptions?: Record<string, string>;
  /** which flag asked for it, for messages */
  flag: string;
}

/** Limits on what one create may ask for. */
const MAX_MOUNTS = 256;
const MAX_PATH = 4096;

export function checkTarget(flag: string, target: string, type: string): string {
  if (!target) throw invalid(`${flag}: invalid mount config for type "${type}": field Target must not be empty`);
  if (target.length > MAX_PATH || target.includes('\0')) throw invalid(`${flag}: invalid mount path: the path is too long or has a NUL byte`);
  if (!target.startsWith('/')) throw invalid(`${flag}: invalid mount config for type "${type}": invalid mount path: '${target.slice(0, 200)}' mount path must be absolute`);
  const t = path.posix.normalize(target).replace(/\/+$/, '') || '/';
  if (t === '/') throw invalid(`${flag}: invalid mount config for type "${type}": invalid specification: destination can't be '/'`);
  if ((t === '/proc' || t.startsWith('/proc/')) && !PROC_FILES_ALLOWED.has(t)) {
    throw invalid(`${flag}: invalid mount config for type "${type}": invalid mount path: '${t.slice(0, 200)}' is inside the container's /proc, where only the kernel's proc is mounted`);
  }
  return t;
}

/**
 * What may be mounted over a file of the container's /proc (runc's list, for
 * lxcfs-style views); anything else there would hide the kernel's proc the
 * runtime and the program rely on (a volume on /proc left the init without
 * its exec fifo and the user with "open exec fifo: No such file").
 */
const PROC_FILES_ALLOWED = new Set([
  '/proc/cpuinfo', '/proc/diskstats', '/proc/meminfo', '/proc/stat', '/proc/swaps', '/proc/uptime',
  '/proc/loadavg', '/proc/slabinfo', '/proc/net/dev', '/proc/sys/kernel/ns_last_pid',
]);

function checkBindSource(flag: string, source: string): string {
  if (source.length > MAX_PATH || source.includes('\0')) throw invalid(`${flag}: invalid bind source: too long or has a NUL byte`);
  return path.posix.normalize(source);
}

// ---- -v ----

/** `-v` as Docker's Linux parser reads it. */
export function parseVolumeFlag(raw: unknown): MountRequest {
  if (typeof raw !== 'string' || !raw || raw.length > 2 * MAX_PATH) throw invalid('-v: invalid spec: a volume must be a non-empty string');
  const parts = raw.split(':');
  const bad = () => invalid(`-v: invalid spec: ${raw.slice(0, 200)}`);
  let source: string | undefined;
  let target: string;
  let mode = '';
  if (parts.length === 1) target = parts[0];
  else if (parts.length === 2) {
    // "/foo:rw" would be a destination with a mode: a volume cannot have one without a source
    if (isMode(parts[1])) throw bad();
    [source, target] = parts;
  } else if (parts.length === 3) [source, target, mode] = parts;
  else throw bad();
  if (source === '') throw bad();
  const bind = source !== undefined && source.startsWith('/');
  const type = bind ? 'bind' : 'volume';
  const req: MountRequest = { type, target: checkTarget('-v', target, type), readOnly: false, noCopy: false, flag: '-v' };
  if (bind) req.source = checkBindSource('-v', source!);
  else if (source !== undefined) req.source = checkVolumeName(source, '-v');
  if (mode) applyModes(req, mode);
  return req;
}

function isMode(s: string): boolean {
  return s.split(',').every((m) => ['ro', 'rw', 'z', 'Z', 'nocopy', ...PROPAGATIONS].includes(m));
}

/** ro|rw, z|Z (accepted: no SELinux here), nocopy, a propagation: each at most once. */
function applyModes(req: MountRequest, modes: string): void {
  const seen = new Set<string>();
  for (const m of modes.split(',')) {
    const kind = m === 'ro' || m === 'rw' ? 'rw' : m === 'z' || m === 'Z' ? 'label' : m === 'nocopy' ? 'copy' : (PROPAGATIONS as string[]).includes(m) ? 'prop' : '';
    if (!kind || seen.has(kind)) throw invalid(`-v: invalid mode: ${modes.slice(0, 100)}`);
    seen.add(kind);
    if (m === 'ro') req.readOnly = true;
    if (m === 'nocopy') {
      if (req.type !== 'volume') throw invalid(`-v: invalid mode: nocopy is for volumes, not the bind mount of ${req.source}`);
      req.noCopy = true;
    }
    if (kind === 'prop') {
      if (req.type !== 'bind') throw invalid(`-v: invalid mode: ${m}: propagation is for bind mounts`);
      req.propagation = m as Propagation;
    }
  }
}

// ---- --mount ----

const MOUNT_KEYS: Record<string, string> = {
  type: 'type', source: 'source', src: 'source', target: 'target', destination: 'target', dst: 'target',
  readonly: 'readonly', ro: 'readonly', 'volume-nocopy': 'volume-nocopy', 'volume-label': 'volume-label',
  'volume-driver': 'volume-driver', 'volume-opt': 'volume-opt', 'bind-propagation': 'bind-propagation',
  'bind-nonrecursive': 'bind-nonrecursive', 'tmpfs-size': 'tmpfs-size', 'tmpfs-mode': 'tmpfs-mode', consistency: 'consistency',
};
/** keys that may stand alone, meaning true */
const BOOL_KEYS = new Set(['readonly', 'volume-nocopy', 'bind-nonrecursive']);
/** keys only one type takes */
const TYPE_OF_KEY: Record<string, MountRequest['type']> = {
  'volume-nocopy': 'volume', 'volume-label': 'volume', 'volume-driver': 'volume', 'volume-opt': 'volume',
  'bind-propagation': 'bind', 'bind-nonrecursive': 'bind', 'tmpfs-size': 'tmpfs', 'tmpfs-mode': 'tmpfs',
};

function parseBool(key: string, value: string | undefined, field: string): boolean {
  if (value === undefined) return true;
  const v = value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(`--mount: invalid value for ${key}: ${field.slice(0, 100)}`);
}

/** `--mount` as docker/cli's opts.MountOpt reads it (fields separated by commas; a field with a comma may be "quoted"). */
export function parseMountFlag(raw: unknown): MountRequest {
  if (typeof raw !== 'string' || !raw || raw.length > 2 * MAX_PATH) throw invalid('--mount: a mount must be a non-empty string');
  let type: MountRequest['type'] = 'volume';
  let source: string | undefined;
  let target = '';
  let readOnly = false;
  let noCopy = false;
  let propagation: Propagation | undefined;
  let nonRecursive = false;
  let size: string | undefined;
  let mode: string | undefined;
  const labels: Record<string, string> = {};
  const driverOptions: Record<string, string> = {};
  const used = new Set<string>();
  for (const field of splitFields(raw)) {
    const eq = field.indexOf('=');
    const rawKey = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? undefined : field.slice(eq + 1);
    const key = MOUNT_KEYS[rawKey];
    if (eq < 0 && !BOOL_KEYS.has(key)) {
      if (key) throw invalid(`--mount: invalid field '${field.slice(0, 100)}' must be a key=value pair`);
      throw invalid(`--mount: unexpected key '${rawKey.slice(0, 100)}' in '${field.slice(0, 100)}'`);
    }
    if (!key) throw invalid(`--mount: unexpected key '${rawKey.slice(0, 100)}' in '${field.slice(0, 100)}'`);
    used.add(key);
    switch (key) {
      case 'type':
        if (value !== 'volume' && value !== 'bind' && value !== 'tmpfs') throw invalid(`--mount: invalid mount config for type "${String(value).slice(0, 40)}": mount type unknown (volume, bind or tmpfs)`);
        type = value;
        break;
      case 'source': source = value; break;
      case 'target': target = value ?? ''; break;
      case 'readonly': readOnly = parseBool(rawKey, value, field); break;
      case 'volume-nocopy': noCopy = parseBool(rawKey, value, field); break;
      case 'bind-nonrecursive': nonRecursive = parseBool(rawKey, value, field); break;
      case 'volume-label': {
        const k = value!.indexOf('=');
        labels[k < 0 ? value! : value!.slice(0, k)] = k < 0 ? '' : value!.slice(k + 1);
        break;
      }
      case 'volume-driver':
        if (value !== 'local') throw invalid(`--mount: volume-driver ${String(value).slice(0, 40)}: only the local driver exists`);
        break;
      case 'volume-opt': {
        // volume-opt=type=tmpfs, volume-opt=o=size=1m ("quoted" when o has commas), as docker/cli reads it
        const k = value!.indexOf('=');
        if (k <= 0) throw invalid(`--mount: invalid volume-opt '${value!.slice(0, 100)}' (KEY=VALUE: type, device or o)`);
        driverOptions[value!.slice(0, k)] = value!.slice(k + 1);
        break;
      }
      case 'bind-propagation':
        if (!(PROPAGATIONS as string[]).includes(value!)) throw invalid(`--mount: invalid value for bind-propagation: ${value!.slice(0, 40)} (one of ${PROPAGATIONS.join(', ')})`);
        propagation = value as Propagation;
        break;
      case 'tmpfs-size': size = value; break;
      case 'tmpfs-mode': mode = value; break;
      case 'consistency': break; // Docker for Mac's; nothing to do on Linux, as on Docker for Linux
    }
  }
  for (const k of used) {
    const only = TYPE_OF_KEY[k];
    if (only && only !== type) throw invalid(`--mount: invalid mount config for type "${type}": ${k} is for type=${only}`);
  }
  const flag = '--mount';
  const t = checkTarget(flag, target, type);
  const req: MountRequest = { type, target: t, readOnly, noCopy, flag };
  if (type === 'bind') {
    if (!source) throw invalid(`--mount: invalid mount config for type "bind": field Source must not be empty`);
    if (!source.startsWith('/')) throw invalid(`--mount: invalid mount config for type "bind": invalid mount path: '${source.slice(0, 200)}' mount path must be absolute`);
    req.source = checkBindSource(flag, source);
    if (propagation) req.propagation = propagation;
    if (nonRecursive) req.nonRecursive = true;
  } else if (type === 'volume') {
    if (source) req.source = checkVolumeName(source, flag);
    if (Object.keys(labels).length) req.labels = labels;
    if (Object.keys(driverOptions).length) req.driverOptions = driverOptions;
  } else {
    if (source) throw invalid(`--mount: invalid mount config for type "tmpfs": field Source must not be specified`);
    req.tmpfsOptions = tmpfsOptions(flag, [...(size !== undefined ? [`size=${size}`] : []), ...(mode !== undefined ? [`mode=${mode}`] : [])]);
  }
  return req;
}

/** Commas split fields, except inside double quotes (as encoding/csv in docker/cli). */
function splitFields(raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of raw) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) { out.push(cur); cur = ''; } else cur += ch;
  }
  if (quoted) throw invalid(`--mount: unbalanced quote in '${raw.slice(0, 100)}'`);
  out.push(cur);
  return out.filter((f) => f !== '');
}

// ---- --tmpfs ----

export function parseTmpfsFlag(raw: unknown): MountRequest {
  if (typeof raw !== 'string' || !raw || raw.length > 2 * MAX_PATH) throw invalid('--tmpfs: a tmpfs must be a non-empty string');
  const colon = raw.indexOf(':');
  const target = colon < 0 ? raw : raw.slice(0, colon);
  const opts = colon < 0 ? [] : raw.slice(colon + 1).split(',').filter(Boolean);
  const req: MountRequest = { type: 'tmpfs', target: checkTarget('--tmpfs', target, 'tmpfs'), readOnly: false, noCopy: false, flag: '--tmpfs' };
  req.tmpfsOptions = tmpfsOptions('--tmpfs', opts);
  if (req.tmpfsOptions.includes('ro')) req.readOnly = true;
  return req;
}

/** Sizes as Docker's RAMInBytes reads them: 64m, 1g, 512k, 100 (bytes); a trailing b or ib allowed. */
export function parseSize(flag: string, s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(s);
  if (!m) throw invalid(`${flag}: invalid size: '${s.slice(0, 40)}' (a number with an optional k, m, g or t)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.floor(Number(m[1]) * mult);
}

/**
 * tmpfs options checked one by one; size kept within the machine's memory
 * (a tmpfs larger than RAM only fills swap) and above a page.
 */
export function tmpfsOptions(flag: string, opts: string[]): string[] {
  const FLAGS = new Set(['ro', 'rw', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev', 'sync', 'async', 'dirsync', 'atime', 'noatime', 'diratime', 'nodiratime', 'relatime', 'norelatime', 'strictatime']);
  // Docker's defaults for --tmpfs: no devices, no set-id programs, no execution (given back with exec, suid, dev)
  const out = new Map<string, string>([['nosuid', 'nosuid'], ['nodev', 'nodev'], ['noexec', 'noexec']]);
  const opposite: Record<string, string> = { exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev', ro: 'rw', rw: 'ro' };
  if (opts.length > 32) throw invalid(`${flag}: too many options`);
  for (const o of opts) {
    const eq = o.indexOf('=');
    const key = eq < 0 ? o : o.slice(0, eq);
    const value = eq < 0 ? '' : o.slice(eq + 1);
    if (eq < 0 && FLAGS.has(o)) {
      if (opposite[o]) out.delete(opposite[o]);
      out.set(o, o);
      continue;
    }
    switch (key) {
      case 'size': {
        const n = parseSize(`${flag} size`, value);
        const max = os.totalmem();
        if (n < 4096 || n > max) throw invalid(`${flag}: size ${value} out of range (4k to this machine's memory, ${Math.floor(max / 1024 / 1024)}m)`);
        out.set('size', `size=${n}`);
        break;
      }
      case 'mode': {
        if (!/^[0-7]{1,4}$/.test(value)) throw invalid(`${flag}: invalid mode '${value.slice(0, 20)}' (octal, at most 7777)`);
        out.set('mode', `mode=${value.padStart(4, '0')}`);
        break;
      }
      case 'uid': case 'gid': {
        if (!/^\d{1,10}$/.test(value) || Number(value) > 0xfffffffe) throw invalid(`${flag}: invalid ${key} '${value.slice(0, 20)}'`);
        out.set(key, `${key}=${Number(value)}`);
        break;
      }
      case 'nr_inodes': {
        if (!/^\d{1,12}[kmg]?$/i.test(value) || /^0+[kmg]?$/i.test(value)) throw invalid(`${flag}: invalid nr_inodes '${value.slice(0, 20)}'`);
        out.set(key, `nr_inodes=${value}`);
        break;
      }
      default: throw invalid(`${flag}: unknown tmpfs option '${o.slice(0, 40)}' (size, mode, uid, gid, nr_inodes, ro, rw, exec, suid, dev, …)`);
    }
  }
  return [...out.values()];
}

/** Every request of a create, in the order given; duplicate targets refused as Docker does. */
export function parseMountRequests(o: { volumes?: string[]; mounts?: string[]; tmpfs?: string[] }): MountRequest[] {
  const all = [...(o.volumes ?? []).map(parseVolumeFlag), ...(o.mounts ?? []).map(parseMountFlag), ...(o.tmpfs ?? []).map(parseTmpfsFlag)];
  if (all.length > MAX_MOUNTS) throw invalid(`too many mounts (${all.length}, at most ${MAX_MOUNTS})`);
  const seen = new Set<string>();
  for (const m of all) {
    if (seen.has(m.target)) throw invalid(`${m.flag}: Duplicate mount point: ${m.target}`);
    seen.add(m.target);
  }
  return all;
}
