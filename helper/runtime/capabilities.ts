// Capability names (as in the OCI spec, "CAP_CHOWN") to bit numbers and masks.
import { invalid } from '../errors';

const NAMES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

export const ALL_CAPS = NAMES.map((n) => `CAP_${n}`);

export function capNumber(name: string): number {
  const n = NAMES.indexOf(name.toUpperCase().replace(/^CAP_/, ''));
  if (n < 0) throw invalid(`unknown capability "${name}"`);
  return n;
}

/** The set as a hex mask for the shim ("a80425fb"). */
export function capMask(names: string[] | undefined): string {
  let mask = 0n;
  for (const name of names ?? []) mask |= 1n << BigInt(capNumber(name));
  return mask.toString(16);
}

/**
 * A mask as /proc/PID/status prints it ("00000000a80425fb") to names, by bit
 * number. A bit this table has no name for (a newer kernel's) is its number,
 * as libcap's cap_to_text writes it, so nothing the kernel granted is hidden.
 */
export function capNames(hex: string): string[] {
  if (!/^[0-9a-f]{1,16}$/i.test(hex)) throw invalid(`capability mask "${hex.slice(0, 20)}" is not 1 to 16 hex digits`);
  const mask = BigInt(`0x${hex}`);
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if (mask & (1n << BigInt(bit))) out.push(bit < NAMES.length ? `CAP_${NAMES[bit]}` : String(bit));
  }
  return out;
}
