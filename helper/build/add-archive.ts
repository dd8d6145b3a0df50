// ADD of a local file: unpacked when it is a tar, plain or compressed with
// gzip, bzip2, xz or zstd, and copied as it is otherwise — told by its bytes,
// not by its name, as both of Docker's builders do (`ADD app.tar.xz /opt/`
// unpacks; a `data.bin` that is a tar unpacks; a gzipped text file, a `.tar`
// that is not one, are copied). bzip2, xz and zstd go through their programs
// (node's zlib has gzip alone).
import { spawnSync } from 'child_process';
import * as zlib from 'zlib';
import { BLOCK, checksum, readNumber, signedChecksum } from '../images/tar-header';

const MAGIC: [string, number[], string[]][] = [
  ['gzip', [0x1f, 0x8b], []],
  ['bzip2', [0x42, 0x5a, 0x68], ['bzip2', '-dc']],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], ['xz', '-dc']],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd], ['zstd', '-dc', '-q']],
];

/** A tar's first header: its checksum field matches the header's bytes (the tar reader's test). */
export function isTar(b: Buffer): boolean {
  if (b.length < BLOCK) return false;
  const sum = readNumber(b, 'chksum');
  return sum !== null && (sum === checksum(b) || sum === signedChecksum(b));
}

/**
 * The tar `bytes` hold, uncompressed, or null when they are not a tar (nor a
 * compressed one): those are copied as they are. `where` names the step in
 * a decompression's failure.
 */
export function addArchive(bytes: Buffer, where: string): Buffer | null {
  const kind = MAGIC.find(([, m]) => m.every((x, i) => bytes[i] === x));
  if (!kind) return isTar(bytes) ? bytes : null;
  const [name, , cmd] = kind;
  let plain: Buffer;
  if (name === 'gzip') {
    // a truncated or damaged gzip is not an archive to unpack: copied as it is, as Docker's DecompressStream fails it
    try { plain = zlib.gunzipSync(bytes); } catch { return null; }
  } else {
    const r = spawnSync(cmd[0], cmd.slice(1), { input: bytes, maxBuffer: Number.MAX_SAFE_INTEGER });
    if (r.error) throw new Error(`${where}: ${name}: ${(r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `the ${cmd[0]} program is not installed (it unpacks a ${name}-compressed ADD source)` : r.error.message}`);
    if (r.status !== 0) return null;
    plain = r.stdout;
  }
  return isTar(plain) ? plain : null;
}
