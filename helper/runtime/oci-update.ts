// runc update: new limits for a live container, from a LinuxResources JSON
// (--resources FILE, or "-" for stdin: what containerd and Podman send) or
// from runc's flags, applied through the cgroup driver. As in runc, 0 and ""
// mean "leave as it is" (engines send the whole struct, zeros for what they
// do not change) and devices are not updatable; what nscope cannot apply
// (hugetlb, realtime CPU, RDT, ...) is refused by name rather than silently
// dropped.
import { parseBytes } from '../cgroups/units';
import { validateResources } from '../cgroups/validate';
import type { LinuxResources } from '../cgroups/types';
import { invalid, NscopeError } from '../errors';

const unsupported = (what: string, why = '') => new NscopeError('unsupported', `update: ${what} is not supported by nscope-runtime${why ? ` (${why})` : ''}`);

type Json = Record<string, unknown>;

function obj(v: unknown, field: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`resources: ${field} must be an object`);
  return v as Json;
}

/** A number field where 0 (and null) means "unchanged". */
function num(o: Json | undefined, field: string, path: string): number | undefined {
  const v = o?.[field];
  if (v === undefined || v === null || v === 0) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`resources: ${path}.${field}: ${JSON.stringify(v)} is not an integer`);
  return v;
}

function str(o: Json | undefined, field: string, path: string): string | undefined {
  const v = o?.[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalid(`resources: ${path}.${field}: expected a string`);
  return v;
}

const nonEmpty = (v: unknown) => v !== undefined && v !== null && (Array.isArray(v) ? v.length > 0 : typeof v === 'object' ? Object.keys(v as object).length > 0 : v !== 0 && v !== false && v !== '');

/** The OCI linux.resources JSON as runc update reads it. */
export function resourcesFromJson(text: string, source: string): LinuxResources {
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) { throw invalid(`${source}: not JSON: ${(e as Error).message}`); }
  const r = obj(raw, 'the document');
  if (!r) throw invalid(`${source}: expected a LinuxResources object`);
  const out: LinuxResources = {};
  const m = obj(r.memory, 'memory');
  if (m) {
    // kernel and kernelTCP are ignored, as by runc 1.1 (kernel memory limits are deprecated)
    if (m.disableOOMKiller === true) throw unsupported('memory.disableOOMKiller');
    // swappiness 0 is a value (swap as little as possible), unlike the others' 0
    const swappiness = m.swappiness === undefined || m.swappiness === null ? undefined : m.swappiness;
    if (swappiness !== undefined && (typeof swappiness !== 'number' || !Number.isInteger(swappiness))) throw invalid(`resources: memory.swappiness: ${JSON.stringify(swappiness)} is not an integer`);
    const mem = { limit: num(m, 'limit', 'memory'), swap: num(m, 'swap', 'memory'), reservation: num(m, 'reservation', 'memory'), ...(swappiness !== undefined ? { swappiness: swappiness as number } : {}) };
    if (Object.values(mem).some((v) => v !== undefined)) out.memory = mem;
  }
  const c = obj(r.cpu, 'cpu');
  if (c) {
    if (nonEmpty(c.realtimeRuntime) || nonEmpty(c.realtimePeriod)) throw unsupported('cpu.realtimeRuntime/realtimePeriod', 'no realtime scheduling limits');
    if (nonEmpty(c.idle)) throw unsupported('cpu.idle');
    const cpu = { shares: num(c, 'shares', 'cpu'), quota: num(c, 'quota', 'cpu'), period: num(c, 'period', 'cpu'), cpus: str(c, 'cpus', 'cpu'), mems: str(c, 'mems', 'cpu') };
    if (Object.values(cpu).some((v) => v !== undefined)) out.cpu = cpu;
  }
  const p = obj(r.pids, 'pids');
  const limit = num(p, 'limit', 'pids');
  if (limit !== undefined) out.pids = { limit };
  const b = obj(r.blockIO, 'blockIO');
  // weights and throttles as given (validated below: ranges, device numbers); 0 weights mean unchanged
  if (b && Object.values(b).some(nonEmpty)) out.blockIO = b as LinuxResources['blockIO'];
  // kubelet lists every huge page size, 0 for those the pod did not ask for: only a real limit is refused
  const huge = r.hugepageLimits;
  if (huge !== undefined && huge !== null && (!Array.isArray(huge) || huge.some((h) => nonEmpty((h as Json)?.limit)))) throw unsupported('hugepageLimits', 'no hugetlb limits');
  for (const k of ['network', 'rdma', 'unified'] as const) if (nonEmpty(r[k])) throw unsupported(k);
  validateResources(out);
  return out;
}

export interface UpdateFlags {
  memory?: string; memorySwap?: string; memoryReservation?: string;
  cpuShares?: string; cpuQuota?: string; cpuPeriod?: string; cpusetCpus?: string; cpusetMems?: string;
  pidsLimit?: string; blkioWeight?: string; cpuRtPeriod?: string; cpuRtRuntime?: string;
  l3CacheSchema?: string; memBwSchema?: string;
}

/** runc update's flags: sizes in bytes or with a unit (64m), -1 for unlimited, 0 for unchanged. */
export function resourcesFromFlags(f: UpdateFlags): LinuxResources {
  const int = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v.trim())) throw invalid(`--${flag}: "${v}" is not an integer`);
    return Number(v) || undefined;
  };
  const bytes = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    return v.trim() === '-1' ? -1 : parseBytes(v, `--${flag}`) || undefined;
  };
  if (f.cpuRtPeriod !== undefined || f.cpuRtRuntime !== undefined) throw unsupported('--cpu-rt-period/--cpu-rt-runtime', 'no realtime scheduling limits');
  if (f.l3CacheSchema !== undefined || f.memBwSchema !== undefined) throw unsupported('--l3-cache-schema/--mem-bw-schema', 'no Intel RDT');
  const res: LinuxResources = {};
  const memory = { limit: bytes(f.memory, 'memory'), swap: bytes(f.memorySwap, 'memory-swap'), reservation: bytes(f.memoryReservation, 'memory-reservation') };
  if (Object.values(memory).some((v) => v !== undefined)) res.memory = memory;
  const cpu = {
    shares: int(f.cpuShares, 'cpu-share'), quota: int(f.cpuQuota, 'cpu-quota'), period: int(f.cpuPeriod, 'cpu-period'),
    cpus: f.cpusetCpus || undefined, mems: f.cpusetMems || undefined,
  };
  if (Object.values(cpu).some((v) => v !== undefined)) res.cpu = cpu;
  const pids = int(f.pidsLimit, 'pids-limit');
  if (pids !== undefined) res.pids = { limit: pids };
  const weight = int(f.blkioWeight, 'blkio-weight');
  if (weight !== undefined) res.blockIO = { weight };
  validateResources(res);
  return res;
}
