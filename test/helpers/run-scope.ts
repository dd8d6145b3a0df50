// What one test run owns, so checks look only at what this run made: its
// temp dir (scripts/test.sh gives each run a private TMPDIR) and its cgroup
// names (nscope-test-<run>-…). A daemon the user left running, or another
// suite on the same machine, is outside the scope and never fails a test.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { unescapeMountinfo } from '../../helper/lib/mountinfo';

/** The run's id: set by scripts/test.sh; tests run by hand get their own. */
export const RUN = /^[\w-]{1,32}$/.test(process.env.NSCOPE_TEST_RUN ?? '') ? process.env.NSCOPE_TEST_RUN! : `adhoc${process.pid}`;

/** True when this run has a private TMPDIR (everything under it is ours). */
export const PRIVATE_TMP = !!process.env.NSCOPE_TEST_RUN;

const TMP = fs.realpathSync(os.tmpdir());

/** The prefix of every cgroup this run makes. */
export const CGROUP_PREFIX = `nscope-test-${RUN}-`;

/** A fresh cgroup parent name for one daemon or test. */
export function cgroupName(tag = ''): string {
  return `${CGROUP_PREFIX}${tag ? `${tag}-` : ''}${crypto.randomBytes(4).toString('hex')}`;
}

/** True if a path belongs to this run's temp space. */
export function ownsPath(p: string): boolean {
  if (PRIVATE_TMP) return p === TMP || p.startsWith(`${TMP}/`);
  return p.startsWith(path.join(TMP, 'nscope-'));
}

/** Mount points of this run still mounted (from /proc/self/mountinfo). */
export function ownMounts(): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean)
    .filter((l) => ownsPath(unescapeMountinfo(l.split(' ')[4] ?? '')));
}

/** Cgroup directories named by this run, anywhere under /sys/fs/cgroup. */
export function ownCgroups(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4) return;
    let entries: fs.Dirent[] = [];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.name.startsWith(CGROUP_PREFIX)) out.push(p);
      else walk(p, depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 1);
  return out;
}

/** Processes of this run still alive: in one of its cgroups, or running from its temp space. */
export function ownProcesses(): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cgroup = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cgroup.includes(`/${CGROUP_PREFIX}`) || cmd.some((a) => ownsPath(a) || a.split('=').some(ownsPath))) out.push(`${pid} ${cmd.join(' ')}`);
    } catch { /* gone */ }
  }
  return out;
}

