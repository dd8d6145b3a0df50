// runc's way with capability names it does not know (a newer kernel's, a
// typo): they are left out of every set with one warning on stderr, not an
// error, so an engine that passes a set made for a newer runtime still gets
// its container or exec (runc: "ignoring unknown or unavailable capabilities").
import * as fs from 'fs';
import { capNumber } from './capabilities';
import type { Process } from './spec';

const SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;

function known(name: unknown): boolean {
  if (typeof name !== 'string') return false;
  try { capNumber(name); return true; } catch { return false; }
}

/** The process with its unknown capabilities left out (a copy when any is), and the names left out. */
export function withoutUnknownCaps(p: Process): { process: Process; unknown: string[] } {
  const caps = p.capabilities;
  if (!caps || typeof caps !== 'object') return { process: p, unknown: [] };
  const unknown = new Set<string>();
  for (const set of SETS) for (const c of caps[set] ?? []) if (!known(c)) unknown.add(String(c));
  if (!unknown.size) return { process: p, unknown: [] };
  const kept = { ...caps };
  for (const set of SETS) if (kept[set]) kept[set] = kept[set]!.filter(known);
  return { process: { ...p, capabilities: kept }, unknown: [...unknown] };
}

/** withoutUnknownCaps, warning once about what it left out (fd 2 directly: the engine's stderr pipe may be the container's too). */
export function dropUnknownCaps(p: Process): Process {
  const { process, unknown } = withoutUnknownCaps(p);
  if (unknown.length) {
    try { fs.writeSync(2, `nscope-runtime: warning: ignoring unknown or unavailable capabilities: [${unknown.join(' ')}]\n`); } catch { /* no stderr */ }
  }
  return process;
}
