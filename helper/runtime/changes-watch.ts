// Watching one running container's rw layer (the overlay upperdir) for
// writes, with inotify through fs.watch. Every write through the overlay
// lands in the upper fs, so inotify sees it on the upper dirs: a new file, a
// copy-up (made in the workdir, then renamed in), a write to an open file, a
// deletion (a whiteout), a chmod. The workdir is not watched: it only holds
// the overlay's temp entries of a copy-up in progress, never a change.
//
// inotify watches one directory, not a tree, and Node 20's recursive
// fs.watch on Linux is an emulation in JS with no bound and paths it follows
// as given. So: one watch per directory, added as directories appear and
// dropped when they go, at most MAX_WATCHED_DIRS of them. The tree is scanned
// breadth first, so past the cap what stays watched is the top levels: a
// write deep in an unwatched directory goes unnoticed until something in a
// watched one changes (the view then shows it too, as it diffs the layer).
//
// The rw layer is the container's to shape, and a hostile one can swap a
// directory for a symlink to the host's / at any moment: every directory is
// opened beneath the layer with no symlink followed (openat2), then watched
// and listed through that fd (/proc/self/fd/N reaches that very inode), so no
// watch ever lands outside the layer.
import * as fs from 'fs';
import * as path from 'path';
import { native } from '../native';

export const MAX_WATCHED_DIRS = 2000;
/** quiet time after a write before the signal: a burst of writes is one change */
const QUIET_MS = 250;
/** at most one signal per interval, also under continuous writes (a log file) */
const MIN_INTERVAL_MS = 1000;

const DIR_FLAGS = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW;

interface Watched { watcher: fs.FSWatcher; ino: number }

export class LayerWatch {
  /** by path relative to the layer ('' is the layer's root) */
  private readonly dirs = new Map<string, Watched>();
  /** paths named by rename events: maybe a directory that came or went */
  private readonly toCheck = new Set<string>();
  private checking = false;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private dueAt = 0;
  private burstStart = 0;
  private lastSignal = 0;

  constructor(private readonly upper: string, private readonly onChange: () => void, private readonly maxDirs = MAX_WATCHED_DIRS) {}

  /** Watches the layer as it is now; resolves once the scan is done. */
  start(): Promise<void> { return this.addTree(''); }

  get watchedDirs(): number { return this.dirs.size; }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dropTree('');
  }

  /** Watches `rel` and every directory below it not yet watched, breadth first, up to the cap. */
  private async addTree(rel: string): Promise<void> {
    const queue = [rel];
    while (queue.length && !this.closed && this.dirs.size < this.maxDirs) {
      const dir = queue.shift()!;
      let fd: number;
      try { fd = native().openBeneath(this.upper, dir, DIR_FLAGS); } catch { continue; } // gone, or not a directory any more
      try {
        const ino = fs.fstatSync(fd).ino;
        const had = this.dirs.get(dir);
        if (had?.ino === ino) continue; // already watched: its own events cover what is below
        if (had) this.dropTree(dir); // a new directory in the old one's place
        const proc = `/proc/self/fd/${fd}`;
        let watcher: fs.FSWatcher;
        // not persistent: a watch must not keep the daemon alive
        try { watcher = fs.watch(proc, { persistent: false }, (type, name) => this.onEvent(dir, type, name)); } catch { return; } // ENOSPC: the host's inotify limit
        watcher.on('error', () => this.dropTree(dir));
        this.dirs.set(dir, { watcher, ino });
        const entries = await fs.promises.readdir(proc, { withFileTypes: true });
        for (const e of entries) if (e.isDirectory()) queue.push(dir ? `${dir}/${e.name}` : e.name);
      } catch { /* vanished while listed: its parent's event says so */ } finally {
        fs.closeSync(fd);
      }
    }
  }

  private dropTree(rel: string): void {
    for (const [k, w] of this.dirs) {
      if (rel === '' || k === rel || k.startsWith(`${rel}/`)) { w.watcher.close(); this.dirs.delete(k); }
    }
  }

  private onEvent(dir: string, type: string, name: string | null): void {
    if (this.closed) return;
    this.changed();
    // created, deleted or renamed: if it is (or was) a directory, its watches follow
    if (type !== 'rename' || !name) return;
    this.toCheck.add(path.posix.join(dir, name));
    if (!this.checking) { this.checking = true; setImmediate(() => this.check()); }
  }

  /** Once per burst of rename events: watches new directories, drops the ones that went. */
  private check(): void {
    this.checking = false;
    const names = [...this.toCheck];
    this.toCheck.clear();
    for (const rel of names) {
      if (this.closed) return;
      let ino: number | undefined;
      try {
        const fd = native().openBeneath(this.upper, rel, DIR_FLAGS);
        try { ino = fs.fstatSync(fd).ino; } finally { fs.closeSync(fd); }
      } catch { /* not a directory (any more) */ }
      if (ino === undefined) this.dropTree(rel);
      else if (this.dirs.get(rel)?.ino !== ino) void this.addTree(rel);
    }
  }

  /**
   * Trailing debounce: the signal comes QUIET_MS after the last write, but no
   * later than MIN_INTERVAL_MS after the first of a burst and never sooner
   * than MIN_INTERVAL_MS after the previous signal. One timer, re-armed only
   * when it fires early: a write costs no timer call.
   */
  private changed(): void {
    const now = Date.now();
    if (!this.burstStart) this.burstStart = now;
    this.dueAt = Math.max(Math.min(now + QUIET_MS, this.burstStart + MIN_INTERVAL_MS), this.lastSignal + MIN_INTERVAL_MS);
    if (!this.timer) this.arm();
  }

  private arm(): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, this.dueAt - Date.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    if (this.closed) return;
    if (Date.now() < this.dueAt) { this.arm(); return; }
    this.burstStart = 0;
    this.lastSignal = Date.now();
    this.onChange();
  }
}
