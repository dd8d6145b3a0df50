// A bind's propagation checked against its source's mount, as Docker checks it
// when a container starts (daemon/oci_linux.go ensureShared/ensureSharedOrSlave):
// `shared`/`rshared` need a source on a shared mount and `slave`/`rslave` one on
// a shared or slave mount. Otherwise the kernel quietly gives a private peer
// group of the container's own, and events the user asked to see (or send)
// never cross: Docker refuses that, and so does nscope, with its words.
import * as fs from 'fs';
import { invalid } from '../errors';
import { parseMountinfo, type MountEntry } from '../lib/mountinfo';
import type { Propagation } from './mount-options';

/** The mount `p` is on: the longest mount point above it, the topmost of those. */
export function mountOf(p: string, entries: MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of entries) {
    const under = m.mountPoint === '/' || p === m.mountPoint || p.startsWith(`${m.mountPoint}/`);
    if (under && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

export function checkBindPropagation(source: string, propagation: Propagation | undefined): void {
  if (!propagation || propagation === 'private' || propagation === 'rprivate') return;
  let real: string;
  try { real = fs.realpathSync(source); } catch { return; } // a -v source made later: on whatever mount it lands, checked as Docker at its next start
  const m = mountOf(real, parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')));
  if (!m) return;
  const shared = m.optionalFields.some((f) => f.startsWith('shared:'));
  const slave = m.optionalFields.some((f) => f.startsWith('master:'));
  if ((propagation === 'shared' || propagation === 'rshared') && !shared) {
    throw invalid(`path ${source} is mounted on ${m.mountPoint} but it is not a shared mount`);
  }
  if ((propagation === 'slave' || propagation === 'rslave') && !shared && !slave) {
    throw invalid(`path ${source} is mounted on ${m.mountPoint} but it is not a shared or slave mount`);
  }
}
