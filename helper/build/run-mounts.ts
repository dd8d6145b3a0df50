// A RUN step's flags as BuildKit reads them: --mount (bind, cache, tmpfs,
// secret), --network and --security. What each mount becomes for the step's
// container:
//   bind    the context's file or folder (read-only: bound as it is; rw: a
//           throwaway copy, the context is never written), or with from= a
//           stage's or an image's, copied out into a temporary folder;
//   cache   a named volume kept between builds (nscope-build-cache-…,
//           labelled with its id), nothing copied into it from the image;
//           `builder prune` removes the unused ones;
//   tmpfs   a tmpfs (size= in bytes);
//   secret  a --secret's bytes in a temporary file (mode, uid, gid as asked;
//           0400 root by default), bound read-only at /run/secrets/ID or target.
// The mount points are left out of the step's layer (container.commit's
// exclude), as BuildKit leaves them out; a bind's content and a from='s image
// go into the step's cache key, a secret's never. Binds and secrets are paths
// on this machine: against a helper on another host (ssh://) they are refused.
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Instruction } from '../../language/containerfile';
import { MOUNT_KEYS, RUN_FLAGS, RUN_NETWORKS } from '../../language/run-flags';
import { openStreamWithResult, type HelperClient } from '../protocol/client';
import type { RunOptions } from '../protocol/types';
import { BuildError } from './build-error';
import { holder } from './holder';


/** What a RUN's flags add to its container, its cache key and its commit. */
export interface RunStepPlan {
  /** the step's container options: mounts, volumes, tmpfs, network */
  run: Partial<RunOptions>;
  /** the mount points (absolute): left out of the layer */
  exclude: string[];
  /** for the cache key: the mounts as given, a bind's content digest; empty when the RUN has no flags */
  key: string;
  /**
   * Makes what the mounts show (a secret's file, a cache's volume, a copy of a stage's files or of
   * a rw bind) and fills `run` in: on a cache miss only, so a cached step copies and creates nothing.
   */
  prepare(): Promise<void>;
  /** removes the temporary files and folders made for it */
  cleanup(): void;
}

export interface RunFlagContext {
  c: Pick<HelperClient, 'request'>;
  socket: string;
  contextDir: string;
  /** the RUN's working directory: relative targets are under it */
  workdir: string;
  /** the build's network (--network), the RUN's default */
  network: string;
  /** the stages before this one: their names and images */
  earlier: (readonly [string | undefined, string])[];
  secrets: Map<string, Buffer>;
  /** ARG/ENV expansion, as for the instruction's arguments */
  expand(s: string): string;
  /** "RUN (Containerfile:3, step 4)" */
  where: string;
}

type MountFields = Map<string, string>;


function fields(spec: string, where: string): MountFields {
  const f: MountFields = new Map();
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const i = part.indexOf('=');
    const k = (i < 0 ? part : part.slice(0, i)).toLowerCase();
    if (!MOUNT_KEYS.has(k)) throw new BuildError(`${where}: --mount=${spec}: unknown key "${k}"`);
    // a flag alone (ro, rw, required) is true
    f.set(k, i < 0 ? 'true' : part.slice(i + 1));
  }
  return f;
}

function bool(f: MountFields, keys: string[], where: string, dflt: boolean): boolean {
  for (const k of keys) {
    const v = f.get(k);
    if (v === undefined) continue;
    if (/^(true|1)$/i.test(v)) return true;
    if (/^(false|0)$/i.test(v)) return false;
    throw new BuildError(`${where}: --mount ${k}=${v}: true or false`);
  }
  return dflt;
}

function int(f: MountFields, k: string, where: string, max: number, base = 10): number | undefined {
  const v = f.get(k);
  if (v === undefined) return undefined;
  const ok = base === 8 ? /^0?[0-7]{1,4}$/.test(v) : /^\d{1,19}$/.test(v);
  const n = parseInt(v, base);
  if (!ok || !(n <= max)) throw new BuildError(`${where}: --mount ${k}=${v}: ${base === 8 ? 'an octal mode' : `a whole number up to ${max}`}`);
  return n;
}

const digest = (h: ReturnType<typeof createHash>) => h.digest('hex');

/** The context's file or tree at `p` hashed: names, types, modes, link targets, contents. */
function hashTree(p: string, h = createHash('sha256'), rel = '.'): ReturnType<typeof createHash> {
  const st = fs.lstatSync(p);
  h.update(`${rel}\0${st.mode}\0`);
  if (st.isSymbolicLink()) h.update(fs.readlinkSync(p));
  else if (st.isFile()) h.update(fs.readFileSync(p));
  else if (st.isDirectory()) for (const n of fs.readdirSync(p).sort()) hashTree(path.join(p, n), h, `${rel}/${n}`);
  h.update('\0');
  return h;
}

/** `source` inside the context, its symlinks resolved: refused when it leads out. */
function contextPath(contextDir: string, source: string, where: string): string {
  const root = fs.realpathSync(contextDir);
  const joined = path.resolve(root, source.replace(/^\/+/, ''));
  let real: string;
  try { real = fs.realpathSync(joined); } catch { throw new BuildError(`${where}: --mount source ${source}: not in the build context`); }
  if (real !== root && !real.startsWith(`${root}/`)) throw new BuildError(`${where}: --mount source ${source}: outside the build context`);
  return real;
}

/**
 * A bind from a stage or image: `source` there copied out into `into` by the
 * system's tar (this module runs in the extension too, whose bundle loads no
 * native addon: tar strips leading "/" and refuses ".." members itself); the
 * path to bind.
 */
async function copyFromImage(ctx: RunFlagContext, image: string, source: string, into: string): Promise<string> {
  const id = await holder(ctx.c, { image, net: 'none' });
  try {
    const { sock, result } = await openStreamWithResult(ctx.socket, { kind: 'cp-out', id, path: source || '/' });
    const top = result.stat!.name === '/' ? '.' : result.stat!.name;
    const tar = spawn('tar', ['-x', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    tar.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    const ended = new Promise<number | null>((resolve, reject) => { tar.on('error', reject); tar.on('close', resolve); });
    sock.on('error', () => tar.kill());
    tar.stdin!.on('error', () => undefined);
    sock.pipe(tar.stdin!);
    const code = await ended;
    if (code !== 0) throw new BuildError(`--mount from ${image}:${source}: unpacking it failed: ${err.trim().split('\n').pop() || `tar exited ${code}`}`);
    return path.join(into, top);
  } finally {
    await ctx.c.request('container.remove', { id, force: true }).catch(() => undefined);
  }
}

export async function planRunFlags(ins: Instruction, ctx: RunFlagContext): Promise<RunStepPlan> {
  const { where } = ctx;
  const temps: string[] = [];
  const cleanup = () => { for (const t of temps.splice(0)) fs.rmSync(t, { recursive: true, force: true }); };
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-build-mount-'));
    temps.push(d);
    return d;
  };
  const run: Partial<RunOptions> = {};
  const exclude: string[] = [];
  // everything checked now, made by prepare() in the flags' order
  const later: (() => Promise<void> | void)[] = [];
  const key = createHash('sha256');
  let keyed = false;
  const remote = /^ssh:/i.test(ctx.socket);
  try {
    for (const flag of ins.flags) {
      if (!RUN_FLAGS.includes(flag.name)) throw new BuildError(`${where}: unknown flag --${flag.name} (RUN takes ${RUN_FLAGS.map((x) => `--${x}`).join(', ')})`);
      const value = ctx.expand(flag.value ?? '');
      keyed = true;
      if (flag.name === 'network') {
        if (!RUN_NETWORKS.includes(value)) throw new BuildError(`${where}: --network=${value}: default, none or host`);
        run.net = value === 'default' ? ctx.network : value;
        key.update(`network=${value}\0`);
        continue;
      }
      if (flag.name === 'security') {
        if (value === 'sandbox') continue;
        throw new BuildError(`${where}: --security=${value}: nscope build runs every step sandboxed (security=insecure is not offered)`);
      }
      const f = fields(value, where);
      const type = (f.get('type') ?? 'bind').toLowerCase();
      const targetRaw = f.get('target') ?? f.get('dst') ?? f.get('destination');
      key.update(`mount\0${type}\0`);
      if (type === 'ssh') throw new BuildError(`${where}: --mount=type=ssh: nscope build has no SSH agent forwarding`);
      if (type === 'secret') {
        const id = f.get('id') ?? (targetRaw ? path.posix.basename(targetRaw) : undefined);
        if (!id) throw new BuildError(`${where}: --mount=type=secret: an id or a target is needed`);
        const target = path.posix.resolve(ctx.workdir, targetRaw ?? `/run/secrets/${id}`);
        key.update(`${id}\0${target}\0`);
        const bytes = ctx.secrets.get(id);
        if (!bytes) {
          if (bool(f, ['required'], where, false)) throw new BuildError(`${where}: the secret "${id}" is required: give it with --secret id=${id},src=FILE`);
          continue;
        }
        if (remote) throw new BuildError(`${where}: --mount=type=secret needs the helper on this machine (the build talks to ${ctx.socket})`);
        const mode = int(f, 'mode', where, 0o7777, 8) ?? 0o400;
        const uid = int(f, 'uid', where, 0xfffffffe) ?? 0;
        const gid = int(f, 'gid', where, 0xfffffffe) ?? 0;
        later.push(() => {
          const file = path.join(tempDir(), 'secret');
          fs.writeFileSync(file, bytes, { mode: 0o600 });
          fs.chmodSync(file, mode);
          if (process.getuid?.() === 0) fs.chownSync(file, uid, gid);
          (run.mounts ??= []).push(`type=bind,source=${file},target=${target},readonly`);
        });
        exclude.push(target);
        continue;
      }
      if (!targetRaw) throw new BuildError(`${where}: --mount=type=${type}: a target is needed`);
      const target = path.posix.resolve(ctx.workdir, targetRaw);
      if (target === '/') throw new BuildError(`${where}: --mount target /: a mount over the whole root`);
      if (target.includes(',') || target.includes(':')) throw new BuildError(`${where}: --mount target ${target}: a "," or ":" cannot be in a mount target here`);
      key.update(`${target}\0`);
      exclude.push(target);
      if (type === 'tmpfs') {
        const size = int(f, 'size', where, Number.MAX_SAFE_INTEGER);
        (run.tmpfs ??= []).push(size === undefined ? target : `${target}:size=${size}`);
        key.update(`${size ?? ''}\0`);
      } else if (type === 'cache') {
        // one volume per id (the target by default), shared by every build that names it
        const id = f.get('id') || target;
        const sharing = f.get('sharing') ?? 'shared';
        if (!['shared', 'private', 'locked'].includes(sharing)) throw new BuildError(`${where}: --mount sharing=${sharing}: shared, private or locked`);
        if (f.has('from') || f.has('source') || f.has('src')) throw new BuildError(`${where}: --mount=type=cache: from= and source= (seeding a cache from an image) are not offered`);
        const name = `nscope-build-cache-${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
        const mode = int(f, 'mode', where, 0o7777, 8);
        const uid = int(f, 'uid', where, 0xfffffffe);
        const gid = int(f, 'gid', where, 0xfffffffe);
        const ro = bool(f, ['readonly', 'ro'], where, false);
        later.push(async () => {
          const made = await ensureCacheVolume(ctx, name, id);
          // a new cache's folder gets the mode and owner asked (BuildKit's default: 0755 root)
          if (made && !remote && (mode !== undefined || uid !== undefined || gid !== undefined)) {
            if (mode !== undefined) fs.chmodSync(made, mode);
            if (uid !== undefined || gid !== undefined) fs.chownSync(made, uid ?? 0, gid ?? 0);
          }
          (run.volumes ??= []).push(`${name}:${target}:${ro ? 'ro,' : ''}nocopy`);
        });
        key.update(`${id}\0${ro}\0`);
      } else if (type === 'bind') {
        const rw = bool(f, ['rw', 'readwrite'], where, false) || !bool(f, ['readonly', 'ro'], where, true);
        const source = f.get('source') ?? f.get('src') ?? '';
        if (remote) throw new BuildError(`${where}: --mount=type=bind needs the helper on this machine (the build talks to ${ctx.socket})`);
        const from = f.get('from');
        const bind = (host: string) => {
          if (host.includes(',')) throw new BuildError(`${where}: --mount source ${host}: a "," cannot be in a bound path here`);
          (run.mounts ??= []).push(`type=bind,source=${host},target=${target}${rw ? '' : ',readonly'}`);
        };
        if (from !== undefined) {
          const stage = ctx.earlier.find(([n], i) => n === from.toLowerCase() || String(i) === from);
          const image = stage?.[1] ?? from;
          // the stage's image ID, or the image's: its content is what the step sees (copied out only for a step that runs)
          key.update(`from\0${stage ? stage[1] : (await ctx.c.request('image.inspect', { ref: from })).id}\0${source}\0`);
          later.push(async () => bind(await copyFromImage(ctx, image, source, tempDir())));
        } else {
          const real = contextPath(ctx.contextDir, source, where);
          key.update(`context\0${digest(hashTree(real))}\0`);
          if (!rw && real.includes(',')) bind(real); // refused now, before the step
          // rw: writes go to a copy and are dropped with it: the context stays as it is
          later.push(() => {
            if (!rw) return bind(real);
            const copy = path.join(tempDir(), path.basename(real) || 'context');
            fs.cpSync(real, copy, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
            bind(copy);
          });
        }
        key.update(`${rw}\0`);
      } else {
        throw new BuildError(`${where}: --mount=type=${type}: bind, cache, tmpfs or secret`);
      }
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  const prepare = async () => {
    try { for (const step of later.splice(0)) await step(); } catch (e) { cleanup(); throw e; }
  };
  return { run, exclude, key: keyed ? key.digest('hex') : '', prepare, cleanup };
}

/** The cache volume, made with its label the first time; its folder on this host when it was just made (undefined otherwise). */
async function ensureCacheVolume(ctx: RunFlagContext, name: string, id: string): Promise<string | undefined> {
  try {
    await ctx.c.request('volume.inspect', { name });
    return undefined;
  } catch { /* not there yet */ }
  const v = await ctx.c.request('volume.create', { name, labels: { [CACHE_LABEL]: id.slice(0, 1024) } });
  return v.mountpoint;
}

/** The label of a RUN --mount=type=cache volume: its id. `builder prune` removes the unused ones. */
export const CACHE_LABEL = 'nscope.build.cache-id';
