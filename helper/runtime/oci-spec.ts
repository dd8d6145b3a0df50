// `runc spec`: the starter config.json for a bundle, as runc writes it (sh on
// a console, as root with three capabilities, read-only rootfs, a devices
// cgroup that denies everything the runtime does not add), and runc's
// --rootless variant (a user namespace mapping root to the caller, no
// network namespace, /sys bound from the host, no resources).
import * as fs from 'fs';
import * as path from 'path';
import { conflict } from '../errors';
import { OCI_VERSION } from './oci-features';
import { DEFAULT_READONLY_PATHS, defaultMounts, type Spec } from './spec';

const CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
/** runc's own list (nscope's default spec masks /sys/devices/virtual/powercap too). */
const MASKED = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
];

export function runcSpec(rootless = false, uid = process.geteuid?.() ?? 0, gid = process.getegid?.() ?? 0): Spec {
  const spec: Spec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: [...CAPS], effective: [...CAPS], permitted: [...CAPS], ambient: [...CAPS] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'nscope',
    mounts: defaultMounts().map((m) => (m.destination === '/proc' ? { destination: '/proc', type: 'proc', source: 'proc' } : m)),
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type: type as 'pid' })),
      maskedPaths: [...MASKED],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
  };
  if (rootless) {
    const linux = spec.linux!;
    linux.namespaces = [...linux.namespaces!.filter((n) => n.type !== 'network' && n.type !== 'user'), { type: 'user' }];
    linux.uidMappings = [{ containerID: 0, hostID: uid, size: 1 }];
    linux.gidMappings = [{ containerID: 0, hostID: gid, size: 1 }];
    spec.mounts = spec.mounts!.map((m) => {
      if (m.destination === '/sys') return { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
      return m.options ? { ...m, options: m.options.filter((o) => !o.startsWith('gid=') && !o.startsWith('uid=')) } : m;
    });
    delete linux.resources;
  }
  return spec;
}

/** Writes BUNDLE/config.json; an existing one is left alone, as runc does. */
export function writeSpec(bundle: string, rootless: boolean): string {
  const file = path.join(bundle, 'config.json');
  if (fs.existsSync(file)) throw conflict(`File ${file} exists. Remove it first`);
  // runc indents with tabs
  fs.writeFileSync(file, JSON.stringify(runcSpec(rootless), null, '\t'), { flag: 'wx', mode: 0o666 });
  return file;
}
