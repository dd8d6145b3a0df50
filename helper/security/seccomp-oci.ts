// The OCI runtime spec's `linux.seccomp`, checked as a hostile spec would be
// (nscope-runtime takes config.json from whoever calls it), and encoded as
// the shim's plan operations. The policy is all here; native/shim/seccomp.c
// only hands the already-checked numbers to libseccomp.
//
// Plan operations (each a NUL-separated token list, see native/shim/plan.c):
//   seccomp ACTION FLAGS           a filter with this default action (libseccomp's
//                                  32-bit action value); FLAGS: 1 TSYNC, 2 LOG, 4 SPEC_ALLOW
//   seccomparch NAME               one more architecture ("x86", "x32", ...)
//   seccomprule NAMES ACTION NARGS a rule for each syscall of NAMES (comma-separated);
//                                  its NARGS conditions follow as
//   seccomparg INDEX OP VALUE VALUETWO
//   seccompload WHEN               load now (0), just before execve (1), or as soon as
//                                  the set-up is done, while `start` is awaited (2)
// One operation per profile entry, not per syscall: Docker's profile is ~30
// operations instead of ~400, which the daemon encodes and the shim parses
// for every container.
import { invalid } from '../errors';
import type { LinuxSeccomp, SeccompArg, SeccompSyscall } from '../runtime/spec';

const EPERM = 1;

/** action name -> libseccomp's value for it (ERRNO and TRACE carry their 16-bit data). */
const ACTION_BASE: Record<string, number> = {
  SCMP_ACT_KILL: 0x00000000, SCMP_ACT_KILL_THREAD: 0x00000000, SCMP_ACT_KILL_PROCESS: 0x80000000,
  SCMP_ACT_TRAP: 0x00030000, SCMP_ACT_ERRNO: 0x00050000, SCMP_ACT_TRACE: 0x7ff00000,
  SCMP_ACT_LOG: 0x7ffc0000, SCMP_ACT_ALLOW: 0x7fff0000, SCMP_ACT_NOTIFY: 0x7fc00000,
};
export const SECCOMP_ACTIONS = new Set(Object.keys(ACTION_BASE));
const ALLOW = ACTION_BASE.SCMP_ACT_ALLOW;

/** flag name -> the shim's bit for it; WAIT_KILLABLE_RECV only means something with a listener. */
export const SECCOMP_FLAGS: Record<string, number> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1, SECCOMP_FILTER_FLAG_LOG: 2, SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 8,
};

export const OPS: Record<string, number> = {
  SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6, SCMP_CMP_MASKED_EQ: 7,
};

/** OCI architecture names -> libseccomp's (seccomp_arch_resolve_name). */
export const ARCHES: Record<string, string> = {
  SCMP_ARCH_X86: 'x86', SCMP_ARCH_X86_64: 'x86_64', SCMP_ARCH_X32: 'x32', SCMP_ARCH_ARM: 'arm', SCMP_ARCH_AARCH64: 'aarch64',
  SCMP_ARCH_MIPS: 'mips', SCMP_ARCH_MIPS64: 'mips64', SCMP_ARCH_MIPS64N32: 'mips64n32', SCMP_ARCH_MIPSEL: 'mipsel',
  SCMP_ARCH_MIPSEL64: 'mipsel64', SCMP_ARCH_MIPSEL64N32: 'mipsel64n32', SCMP_ARCH_PPC: 'ppc', SCMP_ARCH_PPC64: 'ppc64',
  SCMP_ARCH_PPC64LE: 'ppc64le', SCMP_ARCH_S390: 's390', SCMP_ARCH_S390X: 's390x', SCMP_ARCH_PARISC: 'parisc',
  SCMP_ARCH_PARISC64: 'parisc64', SCMP_ARCH_RISCV64: 'riscv64',
};

const U64_MAX = (1n << 64n) - 1n;
const MAX_RULES = 4096;

function errnoOf(v: unknown, what: string): number {
  if (v === undefined) return EPERM;
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 0xffff) throw invalid(`${what}: errnoRet ${String(v).slice(0, 20)} is not an errno (0-65535)`);
  return v as number;
}

/** libseccomp's action value; `errnoRet` only with ERRNO or TRACE (as runc). */
function actionValue(action: unknown, errnoRet: unknown, what: string): number {
  if (typeof action !== 'string' || !SECCOMP_ACTIONS.has(action)) throw invalid(`${what}: unknown action "${String(action).slice(0, 40)}"`);
  if (action === 'SCMP_ACT_NOTIFY') throw invalid(`${what}: SCMP_ACT_NOTIFY is not supported by nscope (no seccomp listener)`);
  const base = ACTION_BASE[action];
  if (action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE') return (base | errnoOf(errnoRet, what)) >>> 0;
  if (errnoRet !== undefined) throw invalid(`${what}: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE`);
  return base >>> 0;
}

function u64(v: unknown, what: string): bigint {
  if (typeof v === 'bigint' ? v < 0n || v > U64_MAX : !Number.isSafeInteger(v) || (v as number) < 0) {
    throw invalid(`${what}: ${String(v).slice(0, 24)} is not an unsigned 64-bit integer`);
  }
  return BigInt(v as number);
}

/** Checks one rule's conditions (index 0-5, a known operator, uint64 values). */
export function checkSeccompArgs(call: SeccompSyscall, what: string): void {
  if (call.args === undefined || call.args === null) return;
  if (!Array.isArray(call.args) || call.args.length > 6) throw invalid(`${what}.args must be a list of at most 6 conditions`);
  for (const [i, a] of call.args.entries()) {
    const w = `${what}.args[${i}]`;
    if (!a || typeof a !== 'object') throw invalid(`${w} must be an object`);
    if (!Number.isInteger(a.index) || a.index < 0 || a.index > 5) throw invalid(`${w}.index must be 0-5`);
    if (!(a.op in OPS)) throw invalid(`${w}.op: unknown operator "${String(a.op).slice(0, 40)}"`);
    u64(a.value, `${w}.value`);
    if (a.valueTwo !== undefined) u64(a.valueTwo, `${w}.valueTwo`);
  }
}

/**
 * What a container's init still calls once its set-up is done (native/shim/
 * child.c): open the exec fifo (through /proc/self/fd), write its byte and
 * close it, execve; or report an error and exit.
 */
const AFTER_SETUP = ['openat', 'write', 'close', 'execve', 'exit_group'];

/**
 * The plan operations of a spec's `linux.seccomp`. `noNewPrivileges` decides
 * when the filter is loaded: with it, after the runtime's own set-up (as runc
 * does, so the filter never sees it); without it loading needs CAP_SYS_ADMIN,
 * so before the credentials and capabilities are dropped.
 * After the set-up, when the filter allows all of AFTER_SETUP whatever their
 * arguments (Docker's profile does), it is loaded at once, while the daemon
 * answers `create` and `start` comes: compiling the program in the kernel
 * (JIT, per-syscall cache; ~0.3 ms) then overlaps that instead of delaying
 * the command; else it is loaded just before execve.
 */
export function seccompOps(s: LinuxSeccomp, noNewPrivileges: boolean): string[][] {
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw invalid('linux.seccomp must be an object');
  if (s.listenerPath) throw invalid('linux.seccomp.listenerPath: seccomp user notification (SCMP_ACT_NOTIFY) is not supported by nscope');
  const def = actionValue(s.defaultAction, s.defaultErrnoRet, 'linux.seccomp.defaultAction');
  let flags = 0;
  for (const f of s.flags ?? []) {
    const bit = SECCOMP_FLAGS[f];
    if (!bit) throw invalid(`linux.seccomp.flags: unknown flag "${String(f).slice(0, 60)}"`);
    if (bit === 8) throw invalid('linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a seccomp listener, which nscope does not support');
    flags |= bit;
  }
  const ops: string[][] = [['seccomp', String(def), String(flags)]];
  const arches = s.architectures ?? [];
  if (!Array.isArray(arches)) throw invalid('linux.seccomp.architectures must be a list');
  for (const a of arches) {
    const name = ARCHES[a];
    if (!name) throw invalid(`linux.seccomp.architectures: unknown architecture "${String(a).slice(0, 40)}"`);
    ops.push(['seccomparch', name]);
  }
  const calls = s.syscalls ?? [];
  if (!Array.isArray(calls)) throw invalid('linux.seccomp.syscalls must be a list');
  // for each syscall of AFTER_SETUP: a rule other than "allow" names it; an unconditional "allow" does
  const after = new Map(AFTER_SETUP.map((n) => [n, { other: false, always: false }]));
  let rules = 0;
  for (const [i, call] of calls.entries()) {
    const what = `linux.seccomp.syscalls[${i}]`;
    if (!call || typeof call !== 'object' || !Array.isArray(call.names)) throw invalid(`${what}.names must be a list of syscall names`);
    const act = actionValue(call.action, call.errnoRet, what);
    checkSeccompArgs(call, what);
    for (const name of call.names) {
      const a = after.get(name);
      if (!a) continue;
      if (act !== ALLOW) a.other = true;
      else if (!call.args?.length) a.always = true;
    }
    // libseccomp refuses a rule whose action is the default one; it means nothing anyway.
    if (act === def) continue;
    const args = call.args ?? [];
    // Two conditions on one argument cannot be one libseccomp rule: like runc,
    // each condition becomes a rule of its own.
    const sameIndexTwice = new Set(args.map((a) => a.index)).size !== args.length;
    const groups: SeccompArg[][] = sameIndexTwice ? args.map((a) => [a]) : [args];
    for (const name of call.names) {
      if (typeof name !== 'string' || !/^[a-z0-9_]{1,64}$/.test(name)) throw invalid(`${what}.names: "${String(name).slice(0, 40)}" is not a syscall name`);
    }
    if (!call.names.length) continue;
    for (const g of groups) {
      rules += call.names.length;
      if (rules > MAX_RULES) throw invalid(`linux.seccomp: more than ${MAX_RULES} rules`);
      ops.push(['seccomprule', call.names.join(','), String(act), String(g.length)]);
      for (const a of g) ops.push(['seccomparg', String(a.index), String(OPS[a.op]), u64(a.value, what).toString(), u64(a.valueTwo ?? 0, what).toString()]);
    }
  }
  const allowedAfterSetup = [...after.values()].every((a) => !a.other && (a.always || def === ALLOW));
  ops.push(['seccompload', !noNewPrivileges ? '0' : allowedAfterSetup ? '2' : '1']);
  return ops;
}
