// OCI device rules (linux.resources.devices) in the form the cgroup v2 device
// filter takes: cgroup v2 has no devices.allow/deny files, so the v2 driver
// hands these to native attachDeviceFilter, which turns them into a
// BPF_PROG_TYPE_CGROUP_DEVICE program (last matching rule wins, no match =
// denied). The normal form is the v1 driver's, so both drivers enforce the
// same rules: type "a" is every device with every access (v1's devices.allow
// "a" ignores major, minor and access), an empty access is "rwm".
import type { DeviceRule } from './types';

/** The kernel's BPF_DEVCG_DEV_* and BPF_DEVCG_ACC_* values (linux/bpf.h). */
export const DEVCG = { ANY: 0, BLOCK: 1, CHAR: 2, MKNOD: 1, READ: 2, WRITE: 4 } as const;

/** Five numbers per rule, in order: type, major (-1 any), minor (-1 any), access bits, allow (1/0). */
export function packDeviceRules(rules: readonly DeviceRule[]): Int32Array {
  const out = new Int32Array(rules.length * 5);
  rules.forEach((r, i) => {
    const type = r.type ?? 'a';
    const num = (n: number | undefined) => (type === 'a' || n === undefined ? -1 : n);
    let bits = 0;
    for (const c of type === 'a' || !r.access ? 'rwm' : r.access) bits |= c === 'r' ? DEVCG.READ : c === 'w' ? DEVCG.WRITE : DEVCG.MKNOD;
    out.set([type === 'b' ? DEVCG.BLOCK : type === 'c' ? DEVCG.CHAR : DEVCG.ANY, num(r.major), num(r.minor), bits, r.allow ? 1 : 0], i * 5);
  });
  return out;
}
