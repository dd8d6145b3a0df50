// A namespace as text for an editor. /proc/PID/ns/TYPE is a magic link to
// an inode of the nsfs pseudo-filesystem, not a file with contents, so what
// can be shown is what `readlink` and `ls -ln /proc/PID/ns` print.
import * as fs from 'fs';
import { notFound } from '../errors';

/** The links in /proc/PID/ns (pid_for_children and time_for_children included). */
export const NS_LINKS = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'pid_for_children', 'time', 'time_for_children', 'user', 'uts'];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS = 182 * 24 * 3600 * 1000;

/** ls's date column: "Nov 28 18:43", or "Nov 28  2024" when more than six months away. */
function lsDate(d: Date): string {
  const day = `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)}`;
  if (Math.abs(Date.now() - d.getTime()) > SIX_MONTHS) return `${day}  ${d.getFullYear()}`;
  return `${day} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function modeString(mode: number): string {
  const rwx = (b: number) => `${b & 4 ? 'r' : '-'}${b & 2 ? 'w' : '-'}${b & 1 ? 'x' : '-'}`;
  return `l${rwx(mode >> 6)}${rwx(mode >> 3)}${rwx(mode)}`;
}

function gone(pid: number, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH' ? notFound(`no process ${pid} (it may have exited)`) : (e as Error);
}

/** `ls -ln /proc/PID/ns`. */
export function nsListing(pid: number): string {
  const dir = `/proc/${pid}/ns`;
  const lines: string[] = [];
  try {
    for (const name of fs.readdirSync(dir).sort()) {
      const link = `${dir}/${name}`;
      const st = fs.lstatSync(link);
      lines.push(`${modeString(st.mode)} 1 ${st.uid} ${st.gid} 0 ${lsDate(st.mtime)} ${name} -> ${fs.readlinkSync(link)}`);
    }
  } catch (e) {
    throw gone(pid, e);
  }
  return `$ ls -ln ${dir}\ntotal 0\n${lines.join('\n')}\n`;
}

/** `readlink /proc/PID/ns/TYPE`, what it means, and the process's other namespaces. */
export function nsLinkText(pid: number, type: string): string {
  const link = `/proc/${pid}/ns/${type}`;
  let target: string;
  try { target = fs.readlinkSync(link); } catch (e) { throw gone(pid, e); }
  return [
    `$ readlink ${link}`,
    target,
    '',
    `# Not a file: a link to inode ${target.replace(/^.*\[(\d+)\]$/, '$1')} of nsfs, the kernel's`,
    '# namespace filesystem. Processes whose links name the same inode',
    '# share the namespace; setns(2) on an open descriptor of such a',
    '# link joins it (what nsenter and `nscope exec` do), and a bind',
    '# mount of it keeps the namespace alive with no process in it.',
    '',
    nsListing(pid),
  ].join('\n');
}
