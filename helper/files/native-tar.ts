// The JS face of the native tar code (native/tar/) that `nscope cp` runs on
// both ends: the files worker packs a container's tree or unpacks into it,
// the CLI packs the caller's files or unpacks what came out. Per file it
// makes the syscalls tar makes and nothing else, where the JS packer and
// unpacker (./tree-tar.ts, ../images/unpack.ts) spend ~70 µs more on each.
// The unpack keeps the JS unpacker's rules for an archive that is not a
// layer; on a kernel without openat2 (before 5.6) the JS one does the work.
import { invalid, NscopeError } from '../errors';
import { unpackInto } from '../images/unpack';
import type { IdMap, IdMapping } from '../lib/idmap';
import { toHostId } from '../lib/idmap';
import { native } from '../native';
import { Readable } from 'stream';

/** What a consumer gets at a time: a tree of small files as 256 KiB pieces, not a write per file. */
const PIECE = 256 << 10;

/** An id map as the addon takes it: [inside, outside, count, …]. */
function flat(m: IdMapping[] | undefined): number[] | undefined {
  return m?.length ? m.flatMap((r) => [r.containerID, r.hostID, r.size]) : undefined;
}

/** A native error as nscope's: a refused archive is 'invalid', a failed syscall 'failed'. */
function ours(e: unknown): unknown {
  const err = e as Error & { invalid?: boolean; code?: string };
  if (err instanceof NscopeError || !(err instanceof Error)) return e;
  if (err.invalid) return invalid(err.message);
  const out = new NscopeError('failed', err.message);
  (out as unknown as { errno?: string }).errno = err.code;
  return out;
}

/**
 * `src` (and what is below it) as a tar under the name `name`, the way tree-tar.ts
 * writes it, in 256 KiB pieces (each a buffer of its own: the consumer may keep it).
 * `ids`: the host ids written as a container's (its user namespace's maps).
 */
export function* nativeTreeTar(src: string, name: string, o: { follow?: boolean; ids?: IdMap } = {}): Generator<Buffer> {
  let p;
  try {
    p = native().tarPacker(src, name, { follow: !!o.follow, uidMap: flat(o.ids?.uid), gidMap: flat(o.ids?.gid) });
  } catch (e) { throw ours(e); }
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(PIECE);
      let n: number;
      try { n = p.read(buf); } catch (e) { throw ours(e); }
      if (n === 0) return;
      yield n === PIECE ? buf : buf.subarray(0, n);
    }
  } finally {
    p.close();
  }
}

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
  let u;
  try {
    u = native().tarUnpacker(root, {
      label, owner: o.owner === 'archive' ? undefined : o.owner, umask: o.umask, placement: o.placement,
      map: o.map ? { uid: flat(o.map.uid) ?? [], gid: flat(o.map.gid) ?? [] } : undefined,
    });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOSYS') throw ours(e);
    // no openat2: the JS unpacker, whose fences are lstat walks
    const res = await unpackInto(Readable.from(input), root, label, { owner: ownerOf(o), rename: renameOf(o.placement), noWhiteouts: true, noDigest: true });
    return { entries: res.entries, size: res.size };
  }
  try {
    for await (const b of input) u.write(b);
    const r = u.end();
    return { entries: r.entries, size: r.bytes };
  } catch (e) {
    throw ours(e);
  } finally {
    u.close();
  }
}
