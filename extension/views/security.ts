// Security: under each container, the confinement it runs with — effective
// capabilities, seccomp, no_new_privs and its user namespace. While it runs
// the items say what the kernel reports for its init process (inspect's
// security.live: /proc/PID/status, ns/user, uid_map, gid_map) and reveal
// those files; otherwise what its spec asks for, which the kernel applies at
// start. A container without a seccomp filter, or --privileged, is flagged
// with a warning icon: that is the confinement Docker users expect to have.
import * as vscode from 'vscode';
import type { ContainerDetail, ContainerSecurity, IdRange, LiveSecurity, UserNsMaps } from '../../helper/protocol/types';
import { procStatus, procUidMap, procGidMap, setKernelSource } from './kernel-sources';
import { LeafNode, Node } from './tree';

const C = vscode.TreeItemCollapsibleState;
const SECCOMP_MODES = ['disabled', 'strict', 'filter'] as const;
const warningIcon = (name: string) => new vscode.ThemeIcon(name, new vscode.ThemeColor('problemsWarningIcon.foreground'));

/** True when the container runs (or would run) without seccomp, or --privileged. */
export function unconfined(s: ContainerSecurity): boolean {
  return s.privileged || s.seccomp === 'unconfined' || s.live?.seccompMode === 0;
}

/** "0→100000 ×65536", ranges joined with ", " */
export function ranges(map: IdRange[]): string {
  return map.length ? map.map((r) => `${r.containerID}→${r.hostID} ×${r.size}`).join(', ') : 'no ranges (no id can be used)';
}

export class SecurityNode extends Node {
  private readonly s: ContainerSecurity;
  private readonly live?: LiveSecurity;

  constructor(ownerId: string, detail: ContainerDetail) {
    super('Security', C.Collapsed);
    this.id = `${ownerId}:security`;
    this.s = detail.security;
    this.live = this.s.live;
    const s = this.s;
    const caps = (this.live ?? s).capabilities.length;
    const seccomp = s.seccomp === 'unconfined' ? 'no seccomp' : `seccomp ${s.seccomp}`;
    const nnp = this.live ? this.live.noNewPrivileges : s.noNewPrivileges;
    this.description = [s.privileged && 'privileged', seccomp, `${caps} capabilities`, nnp && 'no_new_privs', (this.live ?? s).userns && 'userns',
      !this.live && 'as the spec asks'].filter(Boolean).join(' · ');
    const warn = unconfined(s);
    this.iconPath = warn ? warningIcon('warning') : new vscode.ThemeIcon('shield');
    const lines = this.live
      ? [procStatus(this.live.pid), 'the init process\'s capabilities (CapEff), seccomp mode and NoNewPrivs, as the kernel reports them']
      : ['not running: what the container\'s spec (config.json) asks for; the kernel applies it when it starts'];
    if (s.privileged) lines.push('⚠ --privileged: every capability, every device, no masked /proc or /sys paths');
    if (warn && !s.privileged) lines.push('⚠ no seccomp filter: every system call reaches the kernel');
    this.tooltip = lines.join('\n');
    setKernelSource(this, 'group.security', this.live ? procStatus(this.live.pid) : undefined);
  }

  override async children(): Promise<Node[]> {
    return [this.capabilities(), this.seccomp(), this.noNewPrivs(), this.userNamespace()];
  }

  /** a child's kernel source: the init's /proc file while it runs, none otherwise */
  private item(n: Node, contextValue: string, file?: (pid: number) => string): Node {
    setKernelSource(n, contextValue, this.live && file ? file(this.live.pid) : undefined);
    if (!this.live) n.tooltip = `${n.tooltip}\n(not running: as the spec asks)`;
    return n;
  }

  private capabilities(): Node {
    const names = (this.live ?? this.s).capabilities;
    const n = new CapabilitiesNode(`${this.id}:capabilities`, names, this.live ? procStatus(this.live.pid) : undefined);
    const lines = [this.live ? `CapEff: ${this.live.capEff} in ${procStatus(this.live.pid)}` : 'process.capabilities.effective in the spec'];
    lines.push(names.length ? names.join(', ') : 'none: root in the container is an ordinary user to the kernel');
    if (this.live) {
      // the host may lack what the spec asks (--privileged on a restricted host)
      const missing = this.s.capabilities.filter((c) => !names.includes(c));
      const extra = names.filter((c) => !this.s.capabilities.includes(c));
      if (missing.length) lines.push(`asked for, not granted by this host: ${missing.join(', ')}`);
      if (extra.length) lines.push(`granted, not in the spec: ${extra.join(', ')}`);
    }
    n.tooltip = lines.join('\n');
    return this.item(n, 'security.capabilities', procStatus);
  }

  private seccomp(): Node {
    const { seccomp, seccompRules } = this.s;
    const mode = this.live?.seccompMode;
    const filtered = mode !== undefined ? mode !== 0 : seccomp !== 'unconfined';
    const n = new LeafNode('Seccomp', 'lock', `${this.id}:seccomp`);
    n.iconPath = filtered ? new vscode.ThemeIcon('lock') : warningIcon('unlock');
    const profile = seccomp === 'default' ? 'default profile' : seccomp === 'custom' ? 'custom profile' : 'unconfined';
    n.description = mode !== undefined ? `${profile} · ${SECCOMP_MODES[mode]} (${mode})` : profile;
    const lines: string[] = [];
    if (this.live) {
      const filters = this.live.seccompFilters !== undefined ? `, Seccomp_filters: ${this.live.seccompFilters}` : '';
      lines.push(`Seccomp: ${mode} (${SECCOMP_MODES[mode!]})${filters} in ${procStatus(this.live.pid)}`);
    }
    const rules = seccompRules ? `: ${seccompRules.defaultAction} for any other call; its rules name ${seccompRules.syscalls} system calls` : '';
    lines.push(seccomp === 'default' ? `nscope's default profile (Docker's, for this container's capabilities)${rules}`
      : seccomp === 'custom' ? `the profile given with --security-opt seccomp=FILE${rules}`
        : 'no filter (--security-opt seccomp=unconfined or --privileged): every system call reaches the kernel');
    n.tooltip = lines.join('\n');
    return this.item(n, 'security.seccomp', procStatus);
  }

  private noNewPrivs(): Node {
    const on = this.live ? this.live.noNewPrivileges : this.s.noNewPrivileges;
    const n = new LeafNode('NoNewPrivs', on ? 'lock' : 'unlock', `${this.id}:nnp`);
    n.description = this.live ? `${on ? 1 : 0} · ${on ? 'set' : 'not set'}` : on ? 'set' : 'not set';
    n.tooltip = [
      this.live ? `NoNewPrivs: ${on ? 1 : 0} in ${procStatus(this.live.pid)}` : 'process.noNewPrivileges in the spec',
      on ? 'execve cannot grant privileges: setuid/setgid bits and file capabilities are ignored'
        : 'a setuid program or one with file capabilities gains them on execve (within the bounding set)',
    ].join('\n');
    return this.item(n, 'security.nnp', procStatus);
  }

  private userNamespace(): Node {
    const maps: UserNsMaps | null = this.live ? this.live.userns : this.s.userns;
    const id = `${this.id}:userns`;
    if (!maps) {
      const n = new LeafNode('User namespace', 'person', id);
      n.description = 'host (none)';
      n.tooltip = [
        this.live ? `${this.live.userNamespace}: the host's own (readlink /proc/${this.live.pid}/ns/user)` : 'no user namespace in the spec: the host\'s',
        `uid 0 in the container is root on the host, held back by its capabilities and seccomp${this.live ? `\n${procUidMap(this.live.pid)} is the identity map "0 0 4294967295"` : ''}`,
      ].join('\n');
      return this.item(n, 'security.userns', procUidMap);
    }
    const n = new UserNsNode(id, maps, this.live);
    n.tooltip = `${this.live ? `${this.live.userNamespace}, the container's own` : 'a user namespace of its own, mapped as the spec asks'}\nuid_map ${ranges(maps.uidMap)}\ngid_map ${ranges(maps.gidMap)}\n(container id → host id ×count)`;
    return this.item(n, 'security.userns', procUidMap);
  }
}

/** The effective capabilities, one child each. */
class CapabilitiesNode extends Node {
  constructor(id: string, private readonly names: string[], private readonly status: string | undefined) {
    super('Capabilities', names.length ? C.Collapsed : C.None);
    this.id = id;
    this.iconPath = new vscode.ThemeIcon('key');
    this.description = `${names.length} capabilit${names.length === 1 ? 'y' : 'ies'}`;
  }
  override async children(): Promise<Node[]> {
    return this.names.map((name) => {
      const n = new LeafNode(name, 'symbol-constant', `${this.id}:${name}`);
      n.tooltip = `${name} in the effective set${this.status ? ` (CapEff in ${this.status})` : ''}`;
      setKernelSource(n, 'security.capability', this.status);
      return n;
    });
  }
}

/** A user namespace of the container's own: its uid and gid maps as children. */
class UserNsNode extends Node {
  constructor(id: string, private readonly maps: UserNsMaps, private readonly live: LiveSecurity | undefined) {
    super('User namespace', C.Collapsed);
    this.id = id;
    this.iconPath = new vscode.ThemeIcon('organization');
    this.description = `uid ${ranges(maps.uidMap)} · gid ${ranges(maps.gidMap)}`;
  }
  override async children(): Promise<Node[]> {
    return (['uid', 'gid'] as const).map((kind) => {
      const n = new LeafNode(`${kind}_map`, 'arrow-swap', `${this.id}:${kind}`);
      const map = kind === 'uid' ? this.maps.uidMap : this.maps.gidMap;
      n.description = ranges(map);
      const file = this.live ? (kind === 'uid' ? procUidMap : procGidMap)(this.live.pid) : undefined;
      n.tooltip = `${file ?? `linux.${kind}Mappings in the spec`}\n${map.map((r) => `${kind} ${r.containerID}..${r.containerID + r.size - 1} in the container = ${r.hostID}..${r.hostID + r.size - 1} on the host`).join('\n') || 'no ranges'}`;
      setKernelSource(n, `security.${kind}map`, file);
      return n;
    });
  }
}
