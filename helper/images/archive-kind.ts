// Which kind of tar a file on this machine is, from its headers alone: an
// image archive (an OCI layout or `docker save`: oci-layout, index.json or
// manifest.json at its top) or a filesystem tarball (`nscope export`'s, to
// make an image of with `nscope import`). `image import FILE` and the
// extension's Import Image… ask it before choosing how to send the file.
import * as fs from 'fs';
import { BLOCK, checksum, isZeroBlock, readNumber, readString } from './tar-header';

/** headers read at most to tell an image archive from a filesystem tarball */
const MAX_PEEK_ENTRIES = 100_000;

/**
 * Whether the plain tar `file` is an image archive (an OCI layout or `docker
 * save`: oci-layout, index.json or manifest.json at its top) rather than a
 * filesystem tarball; undefined when that cannot be told from its headers (a
 * compressed tar, not a tar). Only the headers are read: the data is skipped.
 */
export function isImageArchive(file: string): boolean | undefined {
  let fd: number;
  try { fd = fs.openSync(file, 'r'); } catch { return undefined; }
  try {
    const size = fs.fstatSync(fd).size;
    const h = Buffer.alloc(BLOCK);
    let pos = 0;
    for (let n = 0; n < MAX_PEEK_ENTRIES && pos + BLOCK <= size; n++) {
      if (fs.readSync(fd, h, 0, BLOCK, pos) !== BLOCK) return undefined;
      if (isZeroBlock(h)) return false;
      if (h.subarray(257, 262).toString('latin1') !== 'ustar' || checksum(h) !== readNumber(h, 'chksum')) return undefined;
      const name = readString(h, 'name').replace(/^(\.\/)+/, '');
      if (name === 'oci-layout' || name === 'index.json' || name === 'manifest.json') return true;
      const len = readNumber(h, 'size');
      if (len === null) return undefined;
      pos += BLOCK + Math.ceil(len / BLOCK) * BLOCK;
    }
    return pos + BLOCK > size ? false : undefined;
  } finally {
    fs.closeSync(fd);
  }
}
