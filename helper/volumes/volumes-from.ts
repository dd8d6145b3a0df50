// `--volumes-from CONTAINER[:ro|rw]` (Docker's): the volumes and binds of
// another of the helper's containers, mounted at the same places in the new
// one — read-only where they were, or as the suffix says. Its tmpfs mounts
// are its own (Docker does not share them either), and so are lxcfs's files,
// which the new container gets from its own --lxcfs. A target the new
// container's own -v/--mount covers is left to that (planMounts).
import * as path from 'path';
import { invalid } from '../errors';
import type { MountInfo } from '../protocol/types/volumes';
import type { MountRequest } from './mount-options';

/** More than this many --volumes-from is not a real command line. */
const MAX_SOURCES = 32;

/** `find` throws the helper's "no such container" for a name or id it does not know. */
export function volumesFrom(values: string[] | undefined, find: (ref: string) => { name: string; mounts?: MountInfo[] }, lxcfsDir: string): MountRequest[] {
  if (!values?.length) return [];
  if (values.length > MAX_SOURCES) throw invalid(`--volumes-from: at most ${MAX_SOURCES} containers`);
  const out: MountRequest[] = [];
  for (const v of values) {
    if (typeof v !== 'string' || !v) throw invalid('--volumes-from: volumes-from specification cannot be an empty string');
    const { ref, forceReadOnly } = parseVolumesFrom(v);
    const src = find(ref);
    const flag = `--volumes-from ${src.name}`;
    for (const mi of src.mounts ?? []) {
      if (mi.type === 'tmpfs') continue;
      if (mi.type === 'bind' && mi.source && (mi.source === lxcfsDir || mi.source.startsWith(`${lxcfsDir}${path.sep}`))) continue;
      // Docker's RW is the source's AND the mode's: `:rw` never makes a read-only mount writable
      const readOnly = forceReadOnly || mi.readOnly;
      // two sources with the same target: the first given wins, as Docker's
      if (out.some((r) => r.target === mi.destination)) continue;
      if (mi.type === 'volume' && mi.name) out.push({ type: 'volume', source: mi.name, target: mi.destination, readOnly, noCopy: true, flag });
      else if (mi.type === 'bind' && mi.source) out.push({ type: 'bind', source: mi.source, target: mi.destination, readOnly, noCopy: false, flag });
    }
  }
  return out;
}

/**
 * CONTAINER[:MODE], split at the first colon as Docker splits it; MODE is a
 * comma list of at most one of ro/rw and one of z/Z (SELinux labels: taken,
 * nothing to do here). Anything else (a propagation, nocopy, a second colon)
 * is Docker's "invalid mode", not a container name to look for.
 */
export function parseVolumesFrom(v: string): { ref: string; forceReadOnly: boolean } {
  const colon = v.indexOf(':');
  const ref = colon < 0 ? v : v.slice(0, colon);
  if (!ref) throw invalid(`--volumes-from: "${v.slice(0, 64)}" names no container`);
  const mode = colon < 0 ? '' : v.slice(colon + 1);
  let rw: string | undefined;
  let label: string | undefined;
  for (const part of mode ? mode.split(',') : []) {
    if ((part === 'ro' || part === 'rw') && rw === undefined) rw = part;
    else if ((part === 'z' || part === 'Z') && label === undefined) label = part;
    else throw invalid(`--volumes-from: invalid mode: ${mode.slice(0, 64)}`);
  }
  return { ref, forceReadOnly: rw === 'ro' };
}
