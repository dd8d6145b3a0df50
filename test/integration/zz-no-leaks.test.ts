// Runs last: nothing nscope made may outlive the tests — no mounts, no
// cgroups, no monitor or container processes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

test('no nscope mounts, cgroups or processes are left behind', () => {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => /nscope/.test(l));
  assert.deepEqual(mounts, []);
  const cgroups: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4) return;
    let entries: fs.Dirent[] = [];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.name.includes('nscope')) cgroups.push(p);
      walk(p, depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 1);
  assert.deepEqual(cgroups, []);
  const procs: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (/nscope-shim|nscope-test-|\/nscope-[a-z]+-\w{6}\//.test(cmd)) procs.push(`${pid} ${cmd}`);
    } catch { /* gone */ }
  }
  assert.deepEqual(procs, []);
});
