// Docker's seccomp profile format (what `--security-opt seccomp=FILE` takes,
// moby's default.json among them) resolved into the OCI runtime spec's
// `linux.seccomp` for one container, the way dockerd does it before it hands
// the spec to runc: the architecture list picked from `archMap` for this
// machine, and each rule kept or dropped by its `includes`/`excludes`
// (architectures, the container's bounding capabilities, the kernel version).
// The profile is data from a client: every field is checked and an error
// names the field.
import * as os from 'os';
import { invalid } from '../errors';
import type { LinuxSeccomp, SeccompSyscall } from '../runtime/spec';
import { checkSeccompArgs, SECCOMP_ACTIONS, SECCOMP_FLAGS } from './seccomp-oci';
import defaultProfileJson from './seccomp-default.json';

interface Filter { caps?: string[]; arches?: string[]; minKernel?: string }
interface ProfileSyscall extends SeccompSyscall { name?: string; comment?: string; includes?: Filter; excludes?: Filter }
interface Profile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] | null }[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: ProfileSyscall[];
}

/** Node's process.arch -> [Go's GOARCH (what `includes.arches` names), libseccomp's native architecture]. */
const NATIVE: Record<string, [string, string]> = {
  x64: ['amd64', 'SCMP_ARCH_X86_64'], arm64: ['arm64', 'SCMP_ARCH_AARCH64'], arm: ['arm', 'SCMP_ARCH_ARM'],
  ia32: ['386', 'SCMP_ARCH_X86'], ppc64: ['ppc64le', 'SCMP_ARCH_PPC64LE'], s390x: ['s390x', 'SCMP_ARCH_S390X'],
  riscv64: ['riscv64', 'SCMP_ARCH_RISCV64'], mips64el: ['mips64le', 'SCMP_ARCH_MIPSEL64'],
};

export const MAX_PROFILE_BYTES = 1 << 20;

export interface ResolveContext {
  /** the container's bounding set, "CAP_SYS_ADMIN" style */
  capabilities: string[];
  /** defaults: this machine's */
  arch?: string;
  kernel?: string;
}

/** The profile nscope applies when none is given. */
export function defaultProfile(): Profile {
  return defaultProfileJson as Profile;
}

const KEPT_DEFAULTS = 64;
const resolvedDefaults = new Map<string, LinuxSeccomp>();

/**
 * The default profile resolved for `ctx`, kept per capability set (and
 * architecture and kernel): every default container gets the same deep-frozen
 * object, so the daemon resolves it, and builds its plan operations
 * (runtime/plan.ts), once per capability set instead of once per container.
 */
export function resolvedDefault(ctx: ResolveContext): LinuxSeccomp {
  const caps = [...new Set(ctx.capabilities.map((c) => c.toUpperCase()))].sort();
  const key = JSON.stringify([caps, ctx.arch ?? process.arch, ctx.kernel ?? os.release()]);
  let s = resolvedDefaults.get(key);
  if (!s) {
    s = deepFreeze(resolveProfile(defaultProfile(), ctx));
    if (resolvedDefaults.size >= KEPT_DEFAULTS) resolvedDefaults.delete(resolvedDefaults.keys().next().value!);
    resolvedDefaults.set(key, s);
  }
  return s;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Parses a profile's JSON text (from a client): a clear error for anything that is not a profile. */
export function parseProfile(text: string): Profile {
  if (typeof text !== 'string' || text.length === 0) throw invalid('seccomp profile: empty');
  if (text.length > MAX_PROFILE_BYTES) throw invalid(`seccomp profile: larger than ${MAX_PROFILE_BYTES} bytes`);
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) { throw invalid(`seccomp profile: not valid JSON: ${(e as Error).message}`); }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalid('seccomp profile: must be a JSON object');
  return v as Profile;
}

const strings = (v: unknown, what: string): string[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.length < 256)) throw invalid(`seccomp profile: ${what} must be a list of strings`);
  return v;
};

/** "4.8" / "5.10.0-21-amd64" -> [major, minor] */
function kernelVersion(s: string, what: string): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(s);
  if (!m) throw invalid(`seccomp profile: ${what}: "${String(s).slice(0, 40)}" is not a kernel version (MAJOR.MINOR)`);
  return [Number(m[1]), Number(m[2])];
}
const atLeast = (k: [number, number], min: [number, number]) => k[0] > min[0] || (k[0] === min[0] && k[1] >= min[1]);

/** The OCI `linux.seccomp` for one container from a Docker-format profile. */
export function resolveProfile(profile: Profile, ctx: ResolveContext): LinuxSeccomp {
  const p = profile as Profile & Record<string, unknown>;
  if (typeof p.defaultAction !== 'string') throw invalid('seccomp profile: defaultAction is missing');
  if (!SECCOMP_ACTIONS.has(p.defaultAction)) throw invalid(`seccomp profile: defaultAction: unknown action "${p.defaultAction.slice(0, 40)}"`);
  const [goArch, nativeArch] = NATIVE[ctx.arch ?? process.arch] ?? [ctx.arch ?? process.arch, ''];
  const kernel = kernelVersion(ctx.kernel ?? os.release(), 'the running kernel');
  const caps = new Set(ctx.capabilities.map((c) => c.toUpperCase()));

  if (p.architectures?.length && p.archMap?.length) throw invalid('seccomp profile: use either "architectures" or "archMap", not both');
  let architectures: string[] = [];
  if (p.archMap !== undefined && p.archMap !== null) {
    if (!Array.isArray(p.archMap)) throw invalid('seccomp profile: archMap must be a list');
    for (const [i, a] of p.archMap.entries()) {
      if (!a || typeof a.architecture !== 'string') throw invalid(`seccomp profile: archMap[${i}].architecture is missing`);
      const subs = strings(a.subArchitectures, `archMap[${i}].subArchitectures`);
      if (a.architecture === nativeArch) architectures = [a.architecture, ...subs];
    }
  } else {
    architectures = strings(p.architectures, 'architectures');
  }
  const flags = strings(p.flags, 'flags');
  for (const f of flags) if (!SECCOMP_FLAGS[f]) throw invalid(`seccomp profile: flags: unknown flag "${f}"`);

  if (p.syscalls !== undefined && p.syscalls !== null && !Array.isArray(p.syscalls)) throw invalid('seccomp profile: syscalls must be a list');
  const syscalls: SeccompSyscall[] = [];
  for (const [i, call] of (p.syscalls ?? []).entries()) {
    const where = `syscalls[${i}]`;
    if (!call || typeof call !== 'object') throw invalid(`seccomp profile: ${where} must be an object`);
    let names = strings(call.names, `${where}.names`);
    if (call.name !== undefined) {
      if (names.length) throw invalid(`seccomp profile: ${where}: use either "name" or "names"`);
      if (typeof call.name !== 'string') throw invalid(`seccomp profile: ${where}.name must be a string`);
      names = [call.name];
    }
    if (typeof call.action !== 'string' || !SECCOMP_ACTIONS.has(call.action)) throw invalid(`seccomp profile: ${where}.action: unknown action "${String(call.action).slice(0, 40)}"`);
    if (!included(call, where, goArch, caps, kernel)) continue;
    const out: SeccompSyscall = { names, action: call.action };
    if (call.errnoRet !== undefined) out.errnoRet = call.errnoRet;
    if (call.args?.length) out.args = call.args;
    checkSeccompArgs(out, `seccomp profile: ${where}`);
    syscalls.push(out);
  }
  const seccomp: LinuxSeccomp = { defaultAction: p.defaultAction, architectures, syscalls };
  if (p.defaultErrnoRet !== undefined) seccomp.defaultErrnoRet = p.defaultErrnoRet;
  if (flags.length) seccomp.flags = flags;
  if (p.listenerPath !== undefined) seccomp.listenerPath = p.listenerPath;
  if (p.listenerMetadata !== undefined) seccomp.listenerMetadata = p.listenerMetadata;
  return seccomp;
}

/** Docker's rule: every `includes` condition must hold, and no `excludes` condition may. */
function included(call: ProfileSyscall, where: string, goArch: string, caps: Set<string>, kernel: [number, number]): boolean {
  const inc = call.includes ?? {};
  const exc = call.excludes ?? {};
  if (typeof inc !== 'object' || typeof exc !== 'object') throw invalid(`seccomp profile: ${where}: includes/excludes must be objects`);
  const incArches = strings(inc.arches, `${where}.includes.arches`);
  if (incArches.length && !incArches.includes(goArch)) return false;
  const incCaps = strings(inc.caps, `${where}.includes.caps`);
  if (incCaps.some((c) => !caps.has(c.toUpperCase()))) return false;
  if (inc.minKernel !== undefined && !atLeast(kernel, kernelVersion(inc.minKernel, `${where}.includes.minKernel`))) return false;
  const excArches = strings(exc.arches, `${where}.excludes.arches`);
  if (excArches.includes(goArch)) return false;
  const excCaps = strings(exc.caps, `${where}.excludes.caps`);
  if (excCaps.some((c) => caps.has(c.toUpperCase()))) return false;
  if (exc.minKernel !== undefined && atLeast(kernel, kernelVersion(exc.minKernel, `${where}.excludes.minKernel`))) return false;
  return true;
}
