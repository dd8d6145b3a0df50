// What a pull or push has done so far, from its progress lines: how many
// layers are through and how many bytes have moved, as one line for a
// progress notification ("3/5 layers · 12.3 MiB / 45.6 MiB") and a fraction
// for its bar. No vscode here (unit-tested).
import { formatBytes } from '../helper/protocol/format';
import type { TransferLine } from '../helper/protocol/types';

type Progress = Extract<TransferLine, { kind: 'progress' }>;

/** a layer is through: transferred, or not needed because the other side has it */
const THROUGH = new Set<Progress['status']>(['Pull complete', 'Already exists', 'Pushed', 'Mounted', 'Layer already exists']);
/** through without moving a byte: such a layer leaves the byte count */
const SKIPPED = new Set<Progress['status']>(['Already exists', 'Mounted', 'Layer already exists']);
/** its bytes are all moved (a pull still verifies and unpacks them) */
const MOVED = new Set<Progress['status']>(['Verifying Checksum', 'Extracting', 'Pull complete', 'Pushed']);
/** the only statuses whose current/total count transferred bytes (Extracting's count unpacking) */
const MOVING = new Set<Progress['status']>(['Downloading', 'Pushing']);

interface Layer { through: boolean; skipped: boolean; current: number; total?: number }

export class TransferTally {
  private readonly layers = new Map<string, Layer>();
  private status = '';

  apply(line: TransferLine): void {
    if (line.kind === 'status') { this.status = line.status; return; }
    if (line.kind !== 'progress') return;
    let l = this.layers.get(line.id);
    if (!l) this.layers.set(line.id, l = { through: false, skipped: false, current: 0 });
    if (THROUGH.has(line.status)) l.through = true;
    if (SKIPPED.has(line.status)) l.skipped = true;
    if (MOVING.has(line.status)) {
      if (line.total !== undefined && line.total > 0) l.total = line.total;
      if (line.current !== undefined) l.current = Math.max(l.current, line.current);
    }
    if (MOVED.has(line.status) && l.total !== undefined) l.current = l.total;
  }

  /** bytes moved and to move, over the layers whose size is known */
  get bytes(): { current: number; total: number } {
    let current = 0;
    let total = 0;
    for (const l of this.layers.values()) {
      if (l.skipped || l.total === undefined) continue;
      current += Math.min(l.current, l.total);
      total += l.total;
    }
    return { current, total };
  }

  /** "3/5 layers · 12.3 MiB / 45.6 MiB"; before any layer, the helper's last status line */
  get summary(): string {
    if (!this.layers.size) return this.status;
    const through = [...this.layers.values()].filter((l) => l.through).length;
    const { current, total } = this.bytes;
    const n = this.layers.size;
    return `${through}/${n} layer${n === 1 ? '' : 's'}${total ? ` · ${formatBytes(current)} / ${formatBytes(total)}` : ''}`;
  }

  /** 0..1: the bytes moved, or the layers through while no size is known */
  get fraction(): number {
    const { current, total } = this.bytes;
    if (total) return current / total;
    const n = this.layers.size;
    return n ? [...this.layers.values()].filter((l) => l.through).length / n : 0;
  }
}
