// Who may talk to the helper: root, and members of one group ("nscope" by
// default) — the same trust as Docker's "docker" group: such a user can run
// containers as root, so the group is root-equivalent. Everyone else is refused.
import * as fs from 'fs';
import type { PeerCred } from '../native';

export interface GroupInfo { name: string; gid: number }

export function lookupGroup(name: string, groupFile = '/etc/group'): GroupInfo | null {
  let text = '';
  try { text = fs.readFileSync(groupFile, 'utf8'); } catch { return null; }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] === name && /^\d+$/.test(f[2])) return { name, gid: Number(f[2]) };
  }
  return null;
}

/** null when allowed, else the reason, naming the uid and what it lacks. */
export function refusal(peer: PeerCred, group: GroupInfo | null, groupName: string): string | null {
  if (peer.uid === 0) return null;
  if (group && (peer.gid === group.gid || peer.groups.includes(group.gid))) return null;
  return group
    ? `permission denied: uid ${peer.uid} is neither root nor a member of group "${groupName}" (sudo usermod -aG ${groupName} $USER, then log in again)`
    : `permission denied: uid ${peer.uid} is not root and group "${groupName}" does not exist (sudo groupadd ${groupName} && sudo usermod -aG ${groupName} $USER)`;
}
