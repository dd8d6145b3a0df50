// The entries of a zip file (a .vsix is one), read from its central
// directory: names and sizes only, enough to check what a package holds
// without an unzip program, which a fresh machine may not have.
import * as fs from 'node:fs';

export interface ZipEntry { name: string; size: number; compressedSize: number }

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

export function zipEntries(file: string): ZipEntry[] {
  const buf = fs.readFileSync(file);
  // the end-of-central-directory record is 22 bytes plus a comment of up to 64 KiB
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end-of-central-directory record)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new Error(`${file}: central directory entry ${n} is damaged`);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    out.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameLen),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
