// A layer is not allowed to fill the disk it is unpacked on. A registry or an
// archive is hostile: a few megabytes of gzip can unpack to terabytes of
// zeros (or to millions of empty files), and the diff_id check that would
// refuse such a layer comes only at its end. So while a layer unpacks, the
// store's filesystem is looked at (statfs, ~1 µs) as its bytes go by, more
// often as the free space nears a reserve, and the layer is refused (its
// partial directory removed by the caller) before the space or the inodes
// left drop under that reserve: the host keeps room for its logs, its other
// containers and the rest of the pull's cleanup. Docker and containerd write
// until ENOSPC.
import * as fs from 'fs';
import { NscopeError } from '../errors';
import { formatBytes } from '../protocol/format';

const MiB = 1024 * 1024;
/** kept free: 5% of the filesystem, at most 2 GiB */
const RESERVE_SHARE = 0.05;
const RESERVE_MAX = 2048 * MiB;
/** and of its inodes: 5%, at most 100,000 */
const INODE_RESERVE_MAX = 100000;
/** between two looks: at most this many bytes of the tar stream */
const EVERY_MAX = 64 * MiB;
/** a tar entry's header: 512 bytes of the stream, and one inode on disk */
export const ENTRY_COST = 512;
/** what the bytes about to be written may cost on disk at most: a 1-byte file is 1 KiB of tar and a 4 KiB block */
const BLOCK_FACTOR = 4;

export class DiskGuard {
  private budget = 0;
  private seen = 0;

  /** `dir`: where the layer is being unpacked; `label` names it in the refusal. */
  constructor(private readonly dir: string, private readonly label: string) {
    this.look();
  }

  /** `n` more bytes of the layer's tar stream are about to be written: throws if they could cross the reserve. */
  add(n: number): void {
    this.budget -= n;
    if (this.budget <= 0) this.look(n);
    this.seen += n;
  }

  private look(pending = 0): void {
    let s: fs.StatsFs;
    try { s = fs.statfsSync(this.dir); } catch { this.budget = EVERY_MAX; return; }
    const reserve = Math.min(RESERVE_MAX, s.blocks * s.bsize * RESERVE_SHARE);
    // what is left above the reserves once the pending bytes are written, at their worst
    const room = s.bavail * s.bsize - BLOCK_FACTOR * pending - reserve;
    // filesystems without an inode count (btrfs, tmpfs with nr_inodes=0) say 0 files
    const inodeReserve = s.files > 0 ? Math.min(INODE_RESERVE_MAX, Math.ceil(s.files * RESERVE_SHARE)) : 0;
    const inodeRoom = s.files > 0 ? s.ffree - Math.ceil(pending / ENTRY_COST) - inodeReserve : Infinity;
    if (room < 0 || inodeRoom < 0) {
      const [left, kept] = room < 0 ? [`${formatBytes(s.bavail * s.bsize)} free`, formatBytes(reserve)] : [`${s.ffree} inodes free`, `${inodeReserve} inodes`];
      throw new NscopeError('failed', `${this.label}: refused after ${formatBytes(this.seen)} unpacked: the store's filesystem is down to ${left}, and nscope keeps ${kept} free there (is the layer a decompression bomb?)`);
    }
    // looked at again after a quarter of the room: a few layers unpacking at once cannot overshoot it
    this.budget = Math.min(EVERY_MAX, room / (4 * BLOCK_FACTOR), (inodeRoom / 4) * ENTRY_COST);
  }
}
