// The volumes on disk: <root>/volumes/<name>/_data (Docker's local-driver
// layout, so tools that know it find the data) beside <name>/volume.json, the
// volume's own record. The directory tree is the truth: a restarted helper
// lists what is there. Which containers use a volume is asked of the
// container records (a stopped container still counts, as in Docker).
// A volume with driver options (driver-options.ts) is a mount on _data while
// a container's process holds it (acquire/release, as moby's local driver
// counts its Mount and Unmount calls); only then does _data hold its content.
import * as fs from 'fs';
import * as path from 'path';
import { conflict, notFound, NscopeError } from '../errors';
import { readJson, writeJsonAtomic } from '../lib/atomic';
import type { VolumeSummary } from '../protocol/types/volumes';
import { checkDriverOptions, mountPlan, type LocalDriverOptions } from './driver-options';
import { anonymousVolumeName, checkLabels, checkVolumeName, isVolumeName } from './names';
import { treeSize } from './size';
import { isMounted, mountsUnder, mountVolume, unmountAll } from './volume-mounts';

interface VolumeRecord { name: string; created: string; labels: Record<string, string>; anonymous: boolean; options?: LocalDriverOptions }

const sameOptions = (a?: LocalDriverOptions, b?: LocalDriverOptions) => JSON.stringify([a?.type, a?.device, a?.o]) === JSON.stringify([b?.type, b?.device, b?.o]);

export interface VolumeEvents { (type: 'volume.created' | 'volume.removed', name: string): void }

export class VolumeStore {
  readonly dir: string;
  /** per volume with options, the containers whose process has it mounted (kept in memory; recover() tells them again after a restart) */
  private readonly holders = new Map<string, Set<string>>();
  constructor(root: string, private readonly usersOf: (name: string) => string[], private readonly emit: VolumeEvents = () => undefined) {
    this.dir = path.join(root, 'volumes');
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  dataDir(name: string): string { return path.join(this.dir, name, '_data'); }
  private recordFile(name: string): string { return path.join(this.dir, name, 'volume.json'); }

  private read(name: string): VolumeRecord | null {
    if (!isVolumeName(name)) return null;
    const r = readJson<VolumeRecord>(this.recordFile(name));
    return r && fs.existsSync(this.dataDir(name)) ? r : null;
  }

  exists(name: string): boolean { return this.read(name) !== null; }

  /**
   * Makes a volume, or returns the one of that name (Docker's `volume create`
   * is idempotent; asked again with other driver options, it is a conflict).
   * `created` tells whether this call made it. Everything is checked before
   * anything is made: a refused volume leaves no directory.
   */
  create(name: string | undefined, labels: Record<string, string> = {}, anonymous = false, options?: unknown): { volume: VolumeSummary; created: boolean } {
    const n = name === undefined ? anonymousVolumeName() : checkVolumeName(name, 'volume create');
    const l = checkLabels(labels, 'volume create');
    const o = checkDriverOptions(options, `volume create ${n.slice(0, 80)}`);
    const existing = this.read(n);
    if (existing) {
      if (o && !sameOptions(o, existing.options)) throw conflict(`volume create ${n}: a volume of that name exists with other driver options (remove it first, or give the same ones)`);
      return { volume: this.summary(existing), created: false };
    }
    const dir = path.join(this.dir, n);
    fs.mkdirSync(dir, { recursive: true, mode: 0o701 });
    // _data last: a directory without it (a crash in between) is not a volume yet and is made again
    const rec: VolumeRecord = { name: n, created: new Date().toISOString(), labels: l, anonymous, ...(o ? { options: o } : {}) };
    writeJsonAtomic(this.recordFile(n), rec);
    fs.mkdirSync(this.dataDir(n), { mode: 0o755 });
    this.emit('volume.created', n);
    return { volume: this.summary(rec), created: true };
  }

  inspect(name: string, withSize = true): VolumeSummary {
    const r = this.read(name);
    if (!r) throw notFound(`no such volume: ${String(name).slice(0, 80)}`);
    return this.summary(r, withSize);
  }

  list(withSize = false): VolumeSummary[] {
    const out: VolumeSummary[] = [];
    for (const n of fs.readdirSync(this.dir).sort()) {
      const r = this.read(n);
      if (r) out.push(this.summary(r, withSize));
    }
    return out;
  }

  /** Names of the containers using it (a create in progress is one: its record exists before its volumes are made). */
  users(name: string): string[] {
    return this.usersOf(name);
  }

  /**
   * Refused while any container uses it, running or not (as Docker); `force`
   * only makes a missing volume not an error (Docker's `volume rm -f`).
   */
  remove(name: string, force = false): void {
    if (!this.read(name)) {
      if (force) return;
      throw notFound(`no such volume: ${String(name).slice(0, 80)}`);
    }
    const users = this.users(name);
    if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    this.destroy(name);
  }

  /** No check: the caller knows nothing uses it (a container's own anonymous volume, a failed create's). */
  destroy(name: string): void {
    if (!isVolumeName(name)) return;
    const dir = path.join(this.dir, name);
    // never a recursive removal through a mount: a bind volume's _data is a host directory
    this.holders.delete(name);
    for (const m of mountsUnder(dir)) unmountAll(m.mountPoint);
    if (mountsUnder(dir).length) throw new NscopeError('failed', `remove volume ${name}: its mount could not be taken down (${mountsUnder(dir).map((m) => m.mountPoint).join(', ')}); try again`);
    // renamed away first: a removal cut short never leaves something that looks like a volume
    const gone = path.join(this.dir, `.removing-${name}-${process.pid}-${Date.now()}`);
    try { fs.renameSync(dir, gone); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new NscopeError('failed', `remove volume ${name}: ${(e as Error).message}`);
    }
    fs.rmSync(gone, { recursive: true, force: true });
    this.emit('volume.removed', name);
  }

  /**
   * Every unused volume goes; only anonymous ones unless `all` (Docker 23's
   * `volume prune` and `-a`); `keep` may spare more (prune --filter label=…).
   */
  prune(all = false, keep: (v: VolumeSummary) => boolean = () => false): { removed: string[]; reclaimed: number } {
    const removed: string[] = [];
    let reclaimed = 0;
    for (const v of this.list()) {
      if ((!all && !v.anonymous) || this.users(v.name).length || keep(v)) continue;
      const size = treeSize(this.dataDir(v.name));
      // one that cannot go (its mount would not come down) is said and skipped: the others still go
      try { this.destroy(v.name); } catch (e) { process.stderr.write(`nscope: warning: ${(e as Error).message}\n`); continue; }
      reclaimed += size;
      removed.push(v.name);
    }
    return { removed, reclaimed };
  }

  /** Leftovers of removals cut short by a crash (their mounts first: never a removal through one). */
  sweep(): void {
    for (const n of fs.readdirSync(this.dir)) {
      if (!n.startsWith('.removing-')) continue;
      const dir = path.join(this.dir, n);
      for (const m of mountsUnder(dir)) unmountAll(m.mountPoint);
      if (!mountsUnder(dir).length) fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  // ---- a volume that is a mount: held by the containers whose process has it ----

  /**
   * `holder` (a container id) is about to have its process mount the volume:
   * the volume's own mount is made if it is not up yet. Nothing for a volume
   * without driver options (its _data is the content).
   */
  acquire(name: string, holder: string): void {
    const r = this.read(name);
    if (!r?.options) return;
    const set = this.holders.get(name) ?? new Set<string>();
    const data = this.dataDir(name);
    if (!isMounted(data)) mountVolume(name, mountPlan(r.options, `volume ${name}`), data);
    set.add(holder);
    this.holders.set(name, set);
  }

  /**
   * `holder`'s process is gone (or never came): each volume it held whose
   * last holder it was is unmounted, and so a tmpfs volume's content goes.
   * Never throws: it runs on a container's way out.
   */
  release(holder: string): void {
    for (const [name, set] of this.holders) {
      if (!set.delete(holder) || set.size) continue;
      this.holders.delete(name);
      const failed = unmountAll(this.dataDir(name));
      if (failed.length) process.stderr.write(`nscope: warning: volume ${name}: unmount failed: ${failed.join('; ')}\n`);
    }
  }

  /** After a restart: a container whose process still runs holds its volumes again (their mounts are up). */
  hold(name: string, holder: string): void {
    if (!this.read(name)?.options) return;
    const set = this.holders.get(name) ?? new Set<string>();
    set.add(holder);
    this.holders.set(name, set);
  }

  /** After recover(): the mounts no running container holds (its process ended while the helper was down) go. */
  unmountUnheld(): void {
    for (const v of this.list()) {
      if (v.options && !this.holders.has(v.name) && isMounted(this.dataDir(v.name))) unmountAll(this.dataDir(v.name));
    }
  }

  private summary(r: VolumeRecord, withSize = false): VolumeSummary {
    return {
      name: r.name, driver: 'local', mountpoint: this.dataDir(r.name), created: r.created, labels: r.labels ?? {},
      anonymous: !!r.anonymous, users: this.usersOf(r.name),
      // as Docker's disk usage: a volume with options is not sized (a bind's _data is a host directory, maybe all of it)
      ...(withSize && !r.options ? { size: treeSize(this.dataDir(r.name)) } : {}),
      ...(r.options ? { options: r.options, mounted: this.holders.has(r.name) } : {}),
    };
  }
}
