// Where a copy's archive lands and whose its files are (`nscope cp` both
// ways: the files worker into a container, the CLI into the caller's
// directory), unpacked by the native unpacker (../images/native-tar.ts), or
// by the JS one with the same rules where the kernel has no openat2.
import { invalid } from '../errors';
import { nativeUnpacker, feedUnpacker, flatIdMap } from '../images/native-tar';
import { unpackInto } from '../images/unpack';
import { toHostId, type IdMap } from '../lib/idmap';
import { Readable } from 'stream';

/** Where an archive's top entry lands: `prepend` put in front of every name, the top renamed `to`, or only its contents. */
export type Placement = { prepend: string } | { top: string; to: string } | { top: string; contents: true };

export interface CopyUnpackOptions {
  /** 'archive': the archive's owners; else every entry's (`nscope cp` without -a) */
  owner: 'archive' | [number, number];
  /** the owners are a container's ids: stored as their host ids, an unmapped one refused */
  map?: IdMap;
  placement?: Placement;
  /** the process's umask (read before a chroot; the bits a created file's mode loses) */
  umask: number;
}

/** The rename a placement is, for the JS unpacker. */
function renameOf(p: Placement | undefined): ((parts: string[]) => string[] | null) | undefined {
  if (!p) return undefined;
  if ('prepend' in p) return (parts) => [p.prepend, ...parts];
  if ('contents' in p) return (parts) => (parts[0] === p.top ? parts.slice(1) : null);
  return (parts) => (parts[0] === p.top ? [p.to, ...parts.slice(1)] : null);
}

/** The owner a copy gives an entry, for the JS unpacker. */
function ownerOf(o: CopyUnpackOptions): ((uid: number, gid: number) => [number, number]) | undefined {
  if (o.owner === 'archive' && !o.map) return undefined;
  return (u, g) => {
    const [cu, cg] = o.owner === 'archive' ? [u, g] : o.owner;
    if (!o.map) return [cu, cg];
    const hu = toHostId(o.map.uid, cu);
    const hg = toHostId(o.map.gid, cg);
    if (hu === undefined || hg === undefined) throw invalid(`owner ${cu}:${cg} is not mapped in the container's user namespace`);
    return [hu, hg];
  };
}

/** Unpacks the tar `input` into the directory `root`, as `nscope cp` places it; `label` names it in errors. */
export async function unpackCopy(input: AsyncIterable<Buffer>, root: string, label: string, o: CopyUnpackOptions): Promise<{ entries: number; size: number }> {
  const u = nativeUnpacker(root, {
    label, owner: o.owner === 'archive' ? undefined : o.owner, umask: o.umask, placement: o.placement,
    map: o.map ? { uid: flatIdMap(o.map.uid) ?? [], gid: flatIdMap(o.map.gid) ?? [] } : undefined,
  });
  if (u) return feedUnpacker(u, input);
  const res = await unpackInto(Readable.from(input), root, label, { owner: ownerOf(o), rename: renameOf(o.placement), noWhiteouts: true, noDigest: true, engine: 'js' });
  return { entries: res.entries, size: res.size };
}
