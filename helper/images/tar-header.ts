// The 512-byte ustar header: field offsets, numbers, checksum, and PAX
// records. Shared by the reader and the writer so both agree on the format.

export const BLOCK = 512;

/** [offset, length] of each ustar field (POSIX.1-1988, "ustar\0" "00"). */
export const F = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const;

export type Field = keyof typeof F;

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export const TYPEFLAG: Record<EntryType, string> = {
  file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6',
};

export function field(h: Buffer, f: Field): Buffer {
  const [off, len] = F[f];
  return h.subarray(off, off + len);
}

/** A NUL-terminated string field (bytes after the first NUL are ignored). */
export function readString(h: Buffer, f: Field): string {
  const b = field(h, f);
  const nul = b.indexOf(0);
  return (nul < 0 ? b : b.subarray(0, nul)).toString('utf8');
}

/**
 * A numeric field: octal ASCII padded with spaces/NULs, or GNU base-256
 * (high bit of the first byte set) for values that do not fit. Returns null
 * when the field is not a number at all, so the caller can say which one.
 */
export function readNumber(h: Buffer, f: Field): number | null {
  const b = field(h, f);
  if (b[0] & 0x80) {
    // base-256, two's complement; 0xff first byte means negative
    const negative = b[0] === 0xff;
    let v = 0;
    for (let i = 0; i < b.length; i++) {
      let byte = i === 0 ? b[i] & 0x7f : b[i];
      if (negative) byte = (i === 0 ? 0x7f : 0xff) ^ byte;
      v = v * 256 + byte;
      if (v > Number.MAX_SAFE_INTEGER) return null;
    }
    return negative ? -(v + 1) : v;
  }
  const s = b.toString('latin1').replace(/[\0 ]+$/, '').replace(/^[ \0]+/, '');
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) return null;
  return parseInt(s, 8);
}

/** Writes `v` as octal with a trailing NUL; false if it does not fit (the caller then uses PAX). */
export function writeOctal(h: Buffer, f: Field, v: number): boolean {
  const [off, len] = F[f];
  if (!Number.isInteger(v) || v < 0) return false;
  const s = v.toString(8);
  if (s.length > len - 1) return false;
  h.write(s.padStart(len - 1, '0') + '\0', off, len, 'latin1');
  return true;
}

/** Writes a string field; false if its UTF-8 bytes do not fit. */
export function writeString(h: Buffer, f: Field, s: string): boolean {
  const [off, len] = F[f];
  const b = Buffer.from(s, 'utf8');
  if (b.length > len) return false;
  b.copy(h, off);
  return true;
}

/** Sum of the header bytes with the checksum field counted as spaces (unsigned, as POSIX says). */
export function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return sum;
}

/** Historic tars summed signed chars; accepted on read. */
export function signedChecksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] << 24) >> 24;
  return sum;
}

export function isZeroBlock(h: Buffer): boolean {
  for (let i = 0; i < h.length; i++) if (h[i] !== 0) return false;
  return true;
}

/**
 * PAX extended header records: "<len> <key>=<value>\n", where <len> counts
 * the whole record including itself. Values stay bytes: SCHILY.xattr.* may be binary.
 */
export function parsePax(data: Buffer): Map<string, Buffer> | string {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // some writers pad the block with NULs
    const sp = data.indexOf(0x20, pos);
    if (sp < 0 || sp - pos > 20) return `bad record at byte ${pos}`;
    const lenStr = data.subarray(pos, sp).toString('latin1');
    if (!/^[0-9]+$/.test(lenStr)) return `bad record length "${lenStr}"`;
    const len = parseInt(lenStr, 10);
    const end = pos + len;
    if (len <= sp - pos + 1 || end > data.length || data[end - 1] !== 0x0a) return `bad record at byte ${pos}`;
    const rec = data.subarray(sp + 1, end - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) return `record without "key=" at byte ${pos}`;
    out.set(rec.subarray(0, eq).toString('utf8'), Buffer.from(rec.subarray(eq + 1)));
    pos = end;
  }
  return out;
}

export function paxRecord(key: string, value: Buffer | string): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'), Buffer.from('\n')]);
  // the length prefix counts its own digits: grow until it is stable
  let n = body.length + 1;
  while (String(n).length + body.length !== n) n = String(n).length + body.length;
  return Buffer.concat([Buffer.from(String(n), 'latin1'), body]);
}
