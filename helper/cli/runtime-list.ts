// `nscope-runtime list`: runc's table (ID PID STATUS BUNDLE CREATED OWNER,
// laid out by Go's tabwriter as runc sets it: cells at least 12 wide, 3
// spaces of padding, the last column unpadded) and runc's JSON, where, unlike
// `state`, "owner" is the name of the user owning the container's state dir.
import * as fs from 'fs';
import * as path from 'path';
import type { OciState } from '../runtime/oci-runtime';

const HEADERS = ['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'];

/** A uid's name from the host's passwd, "#UID" without one (runc's fallback). */
function userName(uid: number, passwd: string): string {
  const entry = passwd.split('\n').map((l) => l.split(':')).find((f) => f.length >= 3 && f[2] === String(uid));
  return entry?.[0] || `#${uid}`;
}

/** The states with "owner" filled in as runc's list fills it. */
export function withOwners(root: string, states: OciState[]): OciState[] {
  let passwd = '';
  try { passwd = fs.readFileSync('/etc/passwd', 'utf8'); } catch { /* "#UID" */ }
  return states.map((s) => {
    const st = fs.statSync(path.join(root, s.id), { throwIfNoEntry: false });
    return { ...s, owner: st ? userName(st.uid, passwd) : '' };
  });
}

/** Go's tabwriter.NewWriter(w, 12, 1, 3, ' ', 0) over tab-separated lines, as runc prints the list. */
export function listTable(states: OciState[]): string {
  const rows = [HEADERS, ...states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created ?? '', s.owner ?? ''])];
  const widths = HEADERS.slice(0, -1).map((_, i) => Math.max(12, ...rows.map((r) => r[i].length + 3)));
  return rows.map((r) => r.map((c, i) => (i < widths.length ? c.padEnd(widths[i]) : c)).join('')).join('\n') + '\n';
}
