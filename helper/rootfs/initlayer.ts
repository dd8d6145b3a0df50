// The init layer: a per-container read-only layer between the image and the
// rw layer. It holds what the runtime writes for each container
// (/etc/hostname, /etc/hosts, /etc/resolv.conf) and the mount points the
// runtime needs, so none of it shows up in the container's diff or a commit.
import * as fs from 'fs';
import * as path from 'path';

const MOUNT_POINTS = ['proc', 'sys', 'dev', 'dev/pts', 'dev/shm', 'dev/mqueue', 'etc'];

function hostResolvConf(): string {
  try {
    const text = fs.readFileSync('/etc/resolv.conf', 'utf8');
    // A loopback resolver (systemd-resolved) is unreachable from a new network namespace.
    if (!/^nameserver\s+127\./m.test(text)) return text;
  } catch { /* none on the host */ }
  return 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n';
}

export function writeInitLayer(dir: string, hostname: string): void {
  for (const d of MOUNT_POINTS) fs.mkdirSync(path.join(dir, d), { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'etc/hostname'), `${hostname}\n`, { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'etc/hosts'),
    `127.0.0.1\tlocalhost ${hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n`, { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'etc/resolv.conf'), hostResolvConf(), { mode: 0o644 });
  try { fs.symlinkSync('/proc/mounts', path.join(dir, 'etc/mtab')); } catch { /* exists */ }
}

/** The files the init layer owns: never part of a diff or a commit. */
export const INIT_LAYER_FILES = ['/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab'];
