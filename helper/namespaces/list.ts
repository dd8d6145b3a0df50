// Every namespace on the host, the way lsns finds them: by walking
// /proc/PID/ns/* and grouping processes by namespace inode.
import * as fs from 'fs';
import type { ContainerNamespace, NamespaceInfo, NsType, UserNsMaps } from '../protocol/types';
import { invalid } from '../errors';
import { native } from '../native';
import { procCmdline, procStatus } from '../lib/procinfo';
import { parseIdMap } from '../lib/idmap';

/** A user namespace's maps, read through one of its processes; undefined for the host's. */
function userMaps(pid: number, host: boolean): UserNsMaps | undefined {
  if (host) return undefined;
  try {
    return { uidMap: parseIdMap(fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8')), gidMap: parseIdMap(fs.readFileSync(`/proc/${pid}/gid_map`, 'utf8')) };
  } catch { return undefined; } // the process is gone
}

export const NS_TYPES: NsType[] = ['mnt', 'pid', 'net', 'ipc', 'uts', 'cgroup', 'user', 'time'];

/** "net:[4026531840]" -> 4026531840; null when the process is gone. */
export function nsInode(pid: number | 'self', type: NsType): number | null {
  try {
    const m = fs.readlinkSync(`/proc/${pid}/ns/${type}`).match(/\[(\d+)\]/);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export interface ContainerRef { id: string; name: string; pid: number }

export function listNamespaces(containers: ContainerRef[], only?: NsType): NamespaceInfo[] {
  if (only !== undefined && !NS_TYPES.includes(only)) throw invalid(`--type: "${String(only)}" is not one of ${NS_TYPES.join(', ')}`);
  const types = only ? [only] : NS_TYPES;
  const byKey = new Map<string, NamespaceInfo>();
  // "the host" is where the helper runs (pid 1 may be unreadable, e.g. under a sandbox's init)
  const hostIno = new Map(types.map((t) => [t, nsInode('self', t)]));
  // a container's namespaces are those of its init that the host does not share
  const owner = new Map<string, { id: string; name: string }>();
  for (const c of containers) {
    for (const t of types) {
      const ino = nsInode(c.pid, t);
      if (ino !== null && ino !== hostIno.get(t)) owner.set(`${t}:${ino}`, { id: c.id, name: c.name });
    }
  }
  const pids = fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x)).map(Number).sort((a, b) => a - b);
  for (const pid of pids) {
    let st: ReturnType<typeof procStatus> | undefined;
    for (const t of types) {
      const ino = nsInode(pid, t);
      if (ino === null) continue;
      const key = `${t}:${ino}`;
      let ns = byKey.get(key);
      if (!ns) {
        let ownerIno: number | undefined;
        if (t !== 'user') { try { ownerIno = native().nsOwner(`/proc/${pid}/ns/${t}`); } catch { /* gone or unsupported */ } }
        ns = { type: t, inode: ino, processes: [], owner: ownerIno, container: owner.get(key), host: hostIno.get(t) === ino };
        if (t === 'user') ns.maps = userMaps(pid, ns.host);
        byKey.set(key, ns);
      }
      st ??= procStatus(pid);
      if (!st) break;
      ns.processes.push({ pid, command: procCmdline(pid), uid: st.uid });
    }
  }
  return [...byKey.values()].sort((a, b) => a.type.localeCompare(b.type) || a.inode - b.inode);
}

const SPEC_TO_NS: Record<string, NsType> = { mount: 'mnt', network: 'net', pid: 'pid', ipc: 'ipc', uts: 'uts', cgroup: 'cgroup', user: 'user', time: 'time' };

export function containerNamespaces(pid: number): ContainerNamespace[] {
  const out: ContainerNamespace[] = [];
  for (const t of Object.values(SPEC_TO_NS)) {
    const ino = nsInode(pid, t);
    if (ino === null) continue;
    const shared = ino === nsInode('self', t);
    out.push({ type: t, inode: ino, path: `/proc/${pid}/ns/${t}`, sharedWithHost: shared, ...(t === 'user' && !shared ? { maps: userMaps(pid, false) } : {}) });
  }
  return out;
}
