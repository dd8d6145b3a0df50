// The OCI runtime spec (config.json) as nscope uses it: the types of the
// parts it honours, and the default spec every container starts from — the
// same defaults as runc's `spec` and Docker's (14 capabilities,
// no_new_privs, masked and read-only /proc and /sys paths).
import type { DeviceRule, LinuxResources } from '../cgroups/types';
import type { IdMapping } from '../lib/idmap';

export interface Mount { destination: string; type?: string; source?: string; options?: string[] }
export interface Rlimit { type: string; soft: number; hard: number }
export interface Capabilities { bounding?: string[]; effective?: string[]; permitted?: string[]; inheritable?: string[]; ambient?: string[] }
export interface Process {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
  args: string[];
  env?: string[];
  cwd: string;
  capabilities?: Capabilities;
  rlimits?: Rlimit[];
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
}
export interface SeccompArg { index: number; value: number; valueTwo?: number; op: string }
export interface SeccompSyscall { names: string[]; action: string; errnoRet?: number; args?: SeccompArg[] }
/** The OCI spec's linux.seccomp */
export interface LinuxSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: SeccompSyscall[];
}
/** One line of /proc/PID/uid_map or gid_map, as the OCI spec writes it. */
export type { IdMapping };
export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';
export interface Namespace { type: NamespaceType; path?: string }
export interface Hook { path: string; args?: string[]; env?: string[]; timeout?: number }
export interface Hooks { prestart?: Hook[]; createRuntime?: Hook[]; createContainer?: Hook[]; startContainer?: Hook[]; poststart?: Hook[]; poststop?: Hook[] }
export interface Spec {
  ociVersion: string;
  process: Process;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  domainname?: string;
  mounts?: Mount[];
  hooks?: Hooks;
  annotations?: Record<string, string>;
  linux?: {
    namespaces?: Namespace[];
    resources?: LinuxResources;
    cgroupsPath?: string;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    sysctl?: Record<string, string>;
    devices?: { path: string; type: string; major: number; minor: number; fileMode?: number; uid?: number; gid?: number }[];
    rootfsPropagation?: string;
    seccomp?: LinuxSeccomp;
    uidMappings?: IdMapping[];
    gidMappings?: IdMapping[];
    /** Intel RDT (resctrl): not supported, refused when given */
    intelRdt?: unknown;
  };
}

/** Docker's default capability set. */
export const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

export const DEFAULT_MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * The devices cgroup rules of runc's default spec: nothing but the standard
 * nodes may be opened (mknod stays allowed, opening what it makes does not),
 * so CAP_MKNOD cannot reach the host's disks.
 */
export const DEFAULT_DEVICE_RULES: DeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' }, { allow: true, type: 'b', access: 'm' },
  ...([[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2], [10, 200]] as const)
    .map(([major, minor]) => ({ allow: true, type: 'c', major, minor, access: 'rwm' })),
  { allow: true, type: 'c', major: 136, access: 'rwm' },
];

export const DEFAULT_NAMESPACES: NamespaceType[] = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'];

export function defaultMounts(): Mount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
  ];
}

/** A spec like `runc spec` writes: `sh` as root in a fully namespaced, confined container. */
export function defaultSpec(): Spec {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: {
        bounding: [...DEFAULT_CAPS], effective: [...DEFAULT_CAPS], permitted: [...DEFAULT_CAPS],
        inheritable: [], ambient: [],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: 'nscope',
    mounts: defaultMounts(),
    linux: {
      namespaces: DEFAULT_NAMESPACES.map((type) => ({ type })),
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
      resources: { devices: DEFAULT_DEVICE_RULES.map((r) => ({ ...r })) },
    },
  };
}
