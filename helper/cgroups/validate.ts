// Checks a LinuxResources before any file is written, so apply() either
// rejects the whole request with a message naming the field or starts writing.
// Only what the spec and the kernel's fixed ranges say; whether a value fits
// this host (CPU 7 on a 2-CPU VM, memory below current usage) is left to the
// kernel, whose refusal fsio.write turns into a clear error.
import { invalid } from '../errors';
import type { LinuxResources } from './types';
import { validateBlockIO } from './block-io-limits';

const MAX_BYTES = Number.MAX_SAFE_INTEGER;

function int(field: string, v: number | undefined, min: number, max: number, extra = ''): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(`${field}: ${JSON.stringify(v)} is not an integer in ${min}..${max}${extra}`);
  }
}

function bytesOrUnlimited(field: string, v: number | undefined): void {
  if (v === undefined || v === -1) return;
  int(field, v, 0, MAX_BYTES, ' (or -1 for unlimited)');
}

/** "0-2,4" style list: ascending ranges of non-negative integers. "" means "inherit/all". */
export function checkList(field: string, s: string | undefined): void {
  if (s === undefined || s === '') return;
  if (typeof s !== 'string' || !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(s)) {
    throw invalid(`${field}: ${JSON.stringify(s)} is not a list like "0-2,4"`);
  }
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (b !== undefined && b < a) throw invalid(`${field}: range "${part}" goes backwards`);
  }
}

export function validateResources(res: LinuxResources | undefined): void {
  if (!res) return;
  if (typeof res !== 'object') throw invalid('resources: expected an object');
  if (res.unified !== undefined) {
    if (!res.unified || typeof res.unified !== 'object' || Array.isArray(res.unified)) throw invalid('resources.unified: expected an object of file names to values');
    const entries = Object.entries(res.unified);
    if (entries.length > 64) throw invalid(`resources.unified: ${entries.length} entries; at most 64`);
    for (const [k, v] of entries) {
      // an interface file of the container's own cgroup: "controller.name", never a path
      if (!/^[a-z][a-z0-9_]*\.[a-z0-9_.]+$/.test(k) || k.includes('..')) throw invalid(`resources.unified: "${k.slice(0, 64)}" is not a cgroup v2 interface file name`);
      if (typeof v !== 'string' || v.includes('\0') || v.length > 4096) throw invalid(`resources.unified.${k}: the value must be a string`);
    }
  }
  const m = res.memory;
  if (m) {
    bytesOrUnlimited('memory.limit', m.limit);
    bytesOrUnlimited('memory.swap', m.swap);
    bytesOrUnlimited('memory.reservation', m.reservation);
    if (m.limit !== undefined && m.limit !== -1 && m.swap !== undefined && m.swap !== -1 && m.swap < m.limit) {
      throw invalid(`memory.swap: ${m.swap} is below memory.limit ${m.limit}; it is memory+swap total, so it must be >= the limit (or -1)`);
    }
    if (m.limit === -1 && m.swap !== undefined && m.swap !== -1) {
      throw invalid(`memory.swap: ${m.swap} limits memory+swap while memory.limit is unlimited; give a memory limit too`);
    }
    // Docker's -1 is "not set"
    if (m.swappiness !== undefined && m.swappiness !== -1) int('memory.swappiness', m.swappiness, 0, 100);
  }
  const c = res.cpu;
  if (c) {
    // 0 means "not set" in runc's reading of the spec.
    if (c.shares !== 0) int('cpu.shares', c.shares, 2, 262144);
    if (c.quota !== undefined && c.quota !== -1) int('cpu.quota', c.quota, 1000, MAX_BYTES, ' microseconds (or -1 for unlimited)');
    int('cpu.period', c.period, 1000, 1000000, ' microseconds');
    checkList('cpu.cpus', c.cpus);
    checkList('cpu.mems', c.mems);
  }
  for (const d of res.devices ?? []) {
    if (typeof d !== 'object' || typeof d.allow !== 'boolean') throw invalid('devices: each rule needs "allow": true|false');
    if (d.type !== undefined && !['a', 'c', 'b'].includes(d.type)) throw invalid(`devices: type "${d.type}" is not a, c or b`);
    if (d.major !== undefined && d.major !== -1) int('devices.major', d.major, 0, 4095);
    if (d.minor !== undefined && d.minor !== -1) int('devices.minor', d.minor, 0, 1048575);
    if (d.access !== undefined && !/^[rwm]{0,3}$/.test(d.access)) throw invalid(`devices: access "${d.access}" is not made of r, w, m`);
  }
  validateBlockIO(res.blockIO);
  const p = res.pids;
  if (p && p.limit !== undefined) {
    // pid_max can be at most 2^22 (PID_MAX_LIMIT); 0 and -1 mean unlimited.
    int('pids.limit', p.limit, -1, 4194304, ' (0 or -1 for unlimited)');
  }
}

/** A resource section with at least one field set. */
export function any(o: object | undefined): boolean {
  return !!o && Object.values(o).some((v) => v !== undefined);
}
