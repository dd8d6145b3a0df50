// `--init`: as Docker's, the host's docker-init (tini) bound read-only at
// /sbin/docker-init and run as the container's PID 1 before the command, so
// zombies are reaped and signals reach the program (a program as PID 1
// ignores the signals it has no handler for). Only a statically linked one
// is taken: a dynamic one would need the image's libc to be the host's.
import * as fs from 'fs';
import { invalid } from '../errors';
import type { Mount } from './spec';

export const INIT_IN_CONTAINER = '/sbin/docker-init';
const CANDIDATES = ['/usr/bin/docker-init', '/usr/libexec/docker/docker-init', '/usr/local/bin/docker-init', '/usr/bin/tini-static', '/usr/local/bin/tini-static'];

/** An ELF without a PT_INTERP program header: no dynamic loader needed. */
function isStatic(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const h = Buffer.alloc(64);
    if (fs.readSync(fd, h, 0, 64, 0) < 64 || h.readUInt32BE(0) !== 0x7f454c46 || h[4] !== 2 || h[5] !== 1) return false; // 64-bit little-endian ELF
    const phoff = Number(h.readBigUInt64LE(32));
    const phentsize = h.readUInt16LE(54);
    const phnum = h.readUInt16LE(56);
    if (phnum > 256 || phentsize < 4) return false;
    const ph = Buffer.alloc(phentsize * phnum);
    fs.readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3 /* PT_INTERP */) return false;
    return true;
  } catch { return false; } finally { if (fd !== undefined) fs.closeSync(fd); }
}

let found: string | null | undefined;

/** The host's init for --init (NSCOPE_INIT names another), looked for once. */
export function hostInit(): string {
  if (found === undefined) found = [process.env.NSCOPE_INIT, ...CANDIDATES].find((f): f is string => !!f && fs.existsSync(f) && isStatic(f)) ?? null;
  if (!found) throw invalid(`--init: no statically linked init on this host (looked for ${CANDIDATES.join(', ')}; NSCOPE_INIT names another)`);
  return found;
}

/** The mount and the command line of a container run with --init. */
export function withInit(args: string[]): { mount: Mount; args: string[] } {
  return {
    mount: { destination: INIT_IN_CONTAINER, type: 'bind', source: hostInit(), options: ['rbind', 'ro', 'nosuid', 'nodev'] },
    args: [INIT_IN_CONTAINER, '--', ...args],
  };
}
