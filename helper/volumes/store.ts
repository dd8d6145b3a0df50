// The volumes on disk: <root>/volumes/<name>/_data (Docker's local-driver
// layout, so tools that know it find the data) beside <name>/volume.json, the
// volume's own record. The directory tree is the truth: a restarted helper
// lists what is there. Which containers use a volume is asked of the
// container records (a stopped container still counts, as in Docker).
import * as fs from 'fs';
import * as path from 'path';
import { conflict, notFound, NscopeError } from '../errors';
import { readJson, writeJsonAtomic } from '../lib/atomic';
import type { VolumeSummary } from '../protocol/types/volumes';
import { anonymousVolumeName, checkLabels, checkVolumeName, isVolumeName } from './names';
import { treeSize } from './size';

interface VolumeRecord { name: string; created: string; labels: Record<string, string>; anonymous: boolean }

export interface VolumeEvents { (type: 'volume.created' | 'volume.removed', name: string): void }

export class VolumeStore {
  readonly dir: string;
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
   * is idempotent). `created` tells whether this call made it.
   */
  create(name: string | undefined, labels: Record<string, string> = {}, anonymous = false): { volume: VolumeSummary; created: boolean } {
    const n = name === undefined ? anonymousVolumeName() : checkVolumeName(name, 'volume create');
    const l = checkLabels(labels, 'volume create');
    const existing = this.read(n);
    if (existing) return { volume: this.summary(existing), created: false };
    const dir = path.join(this.dir, n);
    fs.mkdirSync(dir, { recursive: true, mode: 0o701 });
    // _data last: a directory without it (a crash in between) is not a volume yet and is made again
    const rec: VolumeRecord = { name: n, created: new Date().toISOString(), labels: l, anonymous };
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
    // renamed away first: a removal cut short never leaves something that looks like a volume
    const gone = path.join(this.dir, `.removing-${name}-${process.pid}-${Date.now()}`);
    try { fs.renameSync(dir, gone); } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new NscopeError('failed', `remove volume ${name}: ${(e as Error).message}`);
    }
    fs.rmSync(gone, { recursive: true, force: true });
    this.emit('volume.removed', name);
  }

  /** Every unused volume goes; only anonymous ones unless `all` (Docker 23's `volume prune` and `-a`). */
  prune(all = false): { removed: string[]; reclaimed: number } {
    const removed: string[] = [];
    let reclaimed = 0;
    for (const v of this.list()) {
      if ((!all && !v.anonymous) || this.users(v.name).length) continue;
      reclaimed += treeSize(this.dataDir(v.name));
      this.destroy(v.name);
      removed.push(v.name);
    }
    return { removed, reclaimed };
  }

  /** Leftovers of removals cut short by a crash. */
  sweep(): void {
    for (const n of fs.readdirSync(this.dir)) if (n.startsWith('.removing-')) fs.rmSync(path.join(this.dir, n), { recursive: true, force: true });
  }

  private summary(r: VolumeRecord, withSize = false): VolumeSummary {
    return {
      name: r.name, driver: 'local', mountpoint: this.dataDir(r.name), created: r.created, labels: r.labels ?? {},
      anonymous: !!r.anonymous, users: this.usersOf(r.name), ...(withSize ? { size: treeSize(this.dataDir(r.name)) } : {}),
    };
  }
}
