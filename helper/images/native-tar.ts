// The JS face of the native tar code (native/tar/): the packer `nscope cp`
// runs on both ends (the files worker packs a container's tree, the CLI the
// caller's files), and the unpacker of image layers (./unpack.ts) and of
// copies (../files/copy-unpack.ts). Per file it makes the syscalls tar makes
// and nothing else, where the JS packer and unpacker (../files/tree-tar.ts,
// ./tar-reader.ts + ./unpack.ts) spend ~30–45 µs more on each. The unpacker
// keeps the JS one's rules; on a kernel without openat2 (before 5.6) the JS
// one does the work.
import { invalid, NscopeError } from '../errors';
import type { IdMap, IdMapping } from '../lib/idmap';
import { native, type TarUnpackOptions } from '../native';

/** What a consumer gets at a time: a tree of small files as 256 KiB pieces, not a write per file. */
const PIECE = 256 << 10;

/** An id map as the addon takes it: [inside, outside, count, …]. */
export function flatIdMap(m: IdMapping[] | undefined): number[] | undefined {
  return m?.length ? m.flatMap((r) => [r.containerID, r.hostID, r.size]) : undefined;
}

/** A native error as nscope's: a refused archive is 'invalid', a failed syscall 'failed'. */
function ours(e: unknown): unknown {
  const err = e as Error & { invalid?: boolean };
  if (err instanceof NscopeError || !(err instanceof Error)) return e;
  if (err.invalid) return invalid(err.message);
  return new NscopeError('failed', err.message);
}

/**
 * `src` (and what is below it) as a tar under the name `name`, the bytes
 * ../files/tree-tar.ts writes, in 256 KiB pieces: each a buffer of its own (the
 * consumer may keep it), or with `reuse` one buffer refilled for each (a consumer
 * that is done with a piece before it asks for the next: no page faults for 35 MB
 * of fresh buffers). `ids`: the host ids written as a container's; `emptyDirs`: entries
 * (archive names) packed as directories without what is in them.
 */
export function* nativeTreeTar(src: string, name: string, o: { follow?: boolean; ids?: IdMap; reuse?: boolean; emptyDirs?: string[] } = {}): Generator<Buffer> {
  let p;
  try {
    p = native().tarPacker(src, name, { follow: !!o.follow, uidMap: flatIdMap(o.ids?.uid), gidMap: flatIdMap(o.ids?.gid), emptyDirs: o.emptyDirs });
  } catch (e) { throw ours(e); }
  const one = o.reuse ? Buffer.allocUnsafe(PIECE) : undefined;
  try {
    for (;;) {
      const buf = one ?? Buffer.allocUnsafe(PIECE);
      let n: number;
      try { n = p.read(buf); } catch (e) { throw ours(e); }
      if (n === 0) return;
      yield n === PIECE ? buf : buf.subarray(0, n);
    }
  } finally {
    p.close();
  }
}

export interface NativeUnpacker { write(b: Buffer): void; end(): { entries: number; bytes: number }; close(): void }

/** The native unpacker into `root`, or undefined where the kernel has no openat2 (the caller unpacks in JS). */
export function nativeUnpacker(root: string, o: TarUnpackOptions): NativeUnpacker | undefined {
  try {
    return native().tarUnpacker(root, o);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOSYS') return undefined;
    throw ours(e);
  }
}

/**
 * Gives `input` to `u` to its end (each chunk to `each` first: a digest), then closes `u`.
 * The unpacker's refusals and failures become nscope's errors; the input's own (a download
 * cut, a client gone) go up as they are, for the caller to tell apart.
 */
export async function feedUnpacker(u: NativeUnpacker, input: AsyncIterable<Buffer>, each?: (b: Buffer) => void): Promise<{ entries: number; size: number }> {
  const unpacking = <T>(f: () => T): T => { try { return f(); } catch (e) { throw ours(e); } };
  try {
    for await (const b of input) { each?.(b); unpacking(() => u.write(b)); }
    const r = unpacking(() => u.end());
    return { entries: r.entries, size: r.bytes };
  } finally {
    u.close();
  }
}
