// The OCI runtime validation suite (opencontainers/runtime-tools validation/*,
// built by scripts/setup-validation.sh) against bin/nscope-runtime (issue 10):
// linux_seccomp and linux_uid_mappings must pass. runc and crun, when installed, run the same programs for comparison only.
// NSCOPE_VALIDATION_ALL=1 also runs every program built and prints the tallies.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { REPO } from '../helpers/daemon';
import { cgroupName, ownMounts } from '../helpers/run-scope';

const DIR = process.env.NSCOPE_VALIDATION_DIR || '/var/cache/nscope-validation';
const WRAPPER = path.join(REPO, 'test', 'oci-validation', 'runtime-wrapper.js');
const ARCH = ({ x64: 'amd64', arm64: 'arm64', ia32: '386' } as Record<string, string>)[process.arch] ?? process.arch;
const TIMEOUT_MS = 120_000;

const missing = ['runtimetest', `rootfs-${ARCH}.tar.gz`, 'bin/linux_seccomp', 'bin/linux_uid_mappings'].filter((f) => !fs.existsSync(path.join(DIR, f)));
// Without runtime-tools' validation sources on the machine (test/oci-validation/README.md) nothing is built: skip, saying so.
const skip = missing.length ? `the validation programs are not built (${missing.join(', ')} missing in ${DIR}): they need runtime-tools' validation sources, see test/oci-validation/README.md, then scripts/setup-validation.sh as root` : false;

interface Runtime { name: string; env: Record<string, string> }

const NSCOPE: Runtime = { name: 'nscope-runtime', env: { NSCOPE_VALIDATION_RUNTIME_JS: path.join(REPO, 'bin', 'nscope-runtime.cjs') } };

/** runc and crun, where installed. crun 1.8 refuses a hybrid host whose cgroup2 mount has controllers
 * (here: hugetlb), so as in shared/peers/FINDINGS.md it runs in a mount namespace without that mount. */
function peers(): Runtime[] {
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  const out: Runtime[] = [];
  if (has('runc')) out.push({ name: 'runc', env: { NSCOPE_VALIDATION_RUNTIME_ARGV: JSON.stringify(['runc']) } });
  if (has('crun')) {
    const hybrid = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === '/sys/fs/cgroup/unified');
    const argv = hybrid && has('unshare')
      ? ['unshare', '-m', '--propagation', 'private', 'sh', '-c', 'umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"', 'crun']
      : ['crun'];
    out.push({ name: 'crun', env: { NSCOPE_VALIDATION_RUNTIME_ARGV: JSON.stringify(argv) } });
  }
  return out;
}

/**
 * plan: the sum of the plans (linux_cgroups_cpus prints two TAP documents); errors: the "error" of YAML
 * diagnostics that follow no test line: the lifecycle programs (prestart, poststop, hooks, ...) print no
 * test at all, only "1..0", and report a failure that way.
 */
interface Tap { plan?: number; ok: number; notOk: string[]; skipped: number; errors: string[]; inner: Tap[] }

/** TAP 13 as tap-go writes it; a YAML block's "stdout" holding TAP (runtimetest's, inside the container) is parsed too. */
function parseTap(text: string): Tap {
  const tap: Tap = { ok: 0, notOk: [], skipped: 0, errors: [], inner: [] };
  const lines = text.split('\n');
  let afterTest = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m: RegExpMatchArray | null;
    if ((m = /^1\.\.(\d+)/.exec(l))) { tap.plan = (tap.plan ?? 0) + Number(m[1]); afterTest = false; }
    else if (/^not ok\b/.test(l)) { tap.notOk.push(l); afterTest = true; }
    else if (/^ok\b/.test(l)) { tap.ok++; if (/#\s*SKIP/i.test(l)) tap.skipped++; afterTest = true; }
    else if (l === '  ---') {
      const block: string[] = [];
      for (i++; i < lines.length && lines[i] !== '  ...'; i++) block.push(lines[i].slice(2));
      try {
        const y = JSON.parse(block.join('\n')) as Record<string, unknown>;
        if (typeof y.stdout === 'string' && y.stdout.includes('TAP version')) tap.inner.push(parseTap(y.stdout));
        if (!afterTest && y.error !== undefined) tap.errors.push(String(y.error));
      } catch { /* not JSON: a plain diagnostic */ }
    } else if (/^TAP version/.test(l)) afterTest = false;
  }
  return tap;
}

interface Result { program: string; runtime: string; code: number | null; timedOut: boolean; tap: Tap; stdout: string; stderr: string; passed: boolean; why: string }

/** All "not ok" lines, the program's and the inner runtimetest runs'. */
function allNotOk(t: Tap): string[] { return [...t.notOk, ...t.inner.flatMap(allNotOk)]; }
function checks(t: Tap): number { return t.ok + t.notOk.length + t.inner.reduce((n, x) => n + checks(x), 0); }

/**
 * Passed: exit 0, a plan that matches what ran, at least one test, no "not ok" at any level, and every
 * inner runtimetest run complete (it prints its plan last: a run that died half-way has none).
 */
function verdict(r: Omit<Result, 'passed' | 'why'>): { passed: boolean; why: string } {
  const bad = allNotOk(r.tap);
  // the runtime's own message rather than validation/util's framing of it
  const errLines = r.stderr.split('\n').filter((l) => l.trim());
  const firstErr = errLines.find((l) => !/^(failed to (create|start) the container|exit status \d+|Clean: .*)$/.test(l)) ?? errLines[0] ?? '';
  if (r.timedOut) return { passed: false, why: `timed out after ${TIMEOUT_MS / 1000} s` };
  if (bad.length) return { passed: false, why: `${bad[0]}${firstErr ? ` (${firstErr})` : ''}` };
  if (r.code !== 0) return { passed: false, why: `exit ${r.code}: ${firstErr}` };
  if (r.tap.errors.length) return { passed: false, why: r.tap.errors[0].split('\n')[0] };
  // the *_fail programs print nothing when the runtime refused the bad config, as it must (util.Fatal otherwise)
  if (!r.stdout.trim()) return { passed: true, why: '' };
  if (r.tap.plan === undefined) return { passed: false, why: `no TAP result${firstErr ? `: ${firstErr}` : ''}` };
  if (r.tap.plan !== r.tap.ok + r.tap.notOk.length) return { passed: false, why: `plan 1..${r.tap.plan} but ${r.tap.ok + r.tap.notOk.length} results` };
  const cut = r.tap.inner.find((t) => t.plan === undefined);
  if (cut) return { passed: false, why: `runtimetest stopped after ${cut.ok} checks${firstErr ? `: ${firstErr}` : ''}` };
  if (r.tap.ok > 0 && r.tap.ok === r.tap.skipped && !r.tap.inner.length) return { passed: true, why: 'skipped' };
  return { passed: true, why: '' };
}

/** Runs one validation program against one runtime in its own temp dir, state root and cgroup parent, then cleans up. */
async function runProgram(program: string, rt: Runtime): Promise<Result> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-val-'));
  // 0755: the linux_uid_mappings container's root (host uid 1000) must reach its bundle below here
  fs.chmodSync(tmp, 0o755);
  const root = path.join(tmp, 'state');
  const parent = cgroupName('val');
  const env = { ...process.env, TMPDIR: tmp, RUNTIME: WRAPPER, NSCOPE_VALIDATION_ROOT: root, NSCOPE_VALIDATION_CGROUP: parent, ...rt.env };
  const outFile = path.join(tmp, 'stdout');
  const errFile = path.join(tmp, 'stderr');
  // linux_cgroups_* and delete_resources pick their own cgroupsPath (/cgrouptest, testdir/cgrouptest/container)
  const picksCgroup = /cgroups|delete_resources/.test(program);
  const cgBefore = picksCgroup ? strayCgroups() : undefined;
  let timedOut = false;
  // files, not pipes: a container the program leaves behind must not keep us waiting for EOF.
  // In a mount namespace of its own: linux_ns_itype and linux_ns_nopath ask for containers without
  // one, whose rootfs, /proc, /dev and /sys mounts are then made in the runtime's namespace; they
  // go with this one instead of staying on the machine.
  const code = await new Promise<number | null>((resolve) => {
    const p = spawn('unshare', ['-m', '--propagation', 'private', path.join(DIR, 'bin', program)], {
      cwd: DIR, env, stdio: ['ignore', fs.openSync(outFile, 'w'), fs.openSync(errFile, 'w')],
    });
    const timer = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, TIMEOUT_MS);
    p.on('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  const stdout = fs.readFileSync(outFile, 'utf8');
  const stderr = fs.readFileSync(errFile, 'utf8');
  cleanup(root, env, parent, cgBefore);
  const mounts = ownMounts().filter((m) => m.split(' ')[4].startsWith(`${tmp}/`));
  for (const m of mounts.map((l) => l.split(' ')[4]).reverse()) spawnSync('umount', ['-l', m]);
  // --one-file-system: never into a mount, whatever was left
  spawnSync('rm', ['-rf', '--one-file-system', tmp]);
  assert.deepEqual(mounts, [], `${program} against ${rt.name} left mounts on the machine`);
  const r = { program, runtime: rt.name, code, timedOut, tap: parseTap(stdout), stdout, stderr };
  return { ...r, ...verdict(r) };
}

/** Deletes what a program left (containers in its state root, its cgroups). util.Fatal exits without its deferred cleanup. */
function cleanup(root: string, env: NodeJS.ProcessEnv, parent: string, cgBefore?: Set<string>) {
  if (fs.existsSync(root)) {
    for (const e of fs.readdirSync(root, { withFileTypes: true })) {
      if (e.isDirectory() && !e.name.startsWith('.')) spawnSync(WRAPPER, ['delete', '--force', e.name], { env, stdio: 'ignore', timeout: 30_000 });
    }
  }
  for (const h of fs.readdirSync('/sys/fs/cgroup')) removeCgroupTree(path.join('/sys/fs/cgroup', h, parent));
  removeCgroupTree(path.join('/sys/fs/cgroup', parent));
  // what appeared of those while the program ran is its own, and goes
  if (cgBefore) for (const d of strayCgroups()) if (!cgBefore.has(d)) removeCgroupTree(d);
}

/** The cgroups the validation programs name themselves (runtime-tools' cgroups.AbsCgroupPath and RelCgroupPath), anywhere. */
function strayCgroups(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > 5) return;
    let entries: fs.Dirent[] = [];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (e.name === 'cgrouptest' || e.name === 'testdir') out.add(p);
      else walk(p, depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 1);
  return out;
}

/** rmdir a cgroup and everything below it, killing what still runs in it. */
function removeCgroupTree(dir: string) {
  let entries: fs.Dirent[];
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) if (e.isDirectory()) removeCgroupTree(path.join(dir, e.name));
  for (let i = 0; i < 50; i++) {
    try { fs.rmdirSync(dir); return; } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      try {
        for (const pid of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL');
      } catch { /* gone */ }
      spawnSync('sleep', ['0.1']);
    }
  }
}

function line(r: Result): string {
  const n = checks(r.tap);
  return `${r.passed ? (r.why === 'skipped' ? 'skip' : 'pass') : 'FAIL'} (${n} checks, ${allNotOk(r.tap).length} not ok)${r.why && r.why !== 'skipped' ? `: ${r.why.slice(0, 200)}` : ''}`;
}

/** The program against nscope-runtime, then against each peer for information (a peer's result never fails the test). */
async function againstAll(t: TestContext, program: string): Promise<Result> {
  const mine = await runProgram(program, NSCOPE);
  t.diagnostic(`${program}: nscope-runtime ${line(mine)}`);
  for (const p of peers()) t.diagnostic(`${program}: ${p.name} ${line(await runProgram(program, p))}`);
  return mine;
}

function explain(r: Result): string {
  return `${r.program} against ${r.runtime}: ${r.why}\n--- stdout (tail)\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-2000)}`;
}

test('runtime-tools linux_seccomp passes against nscope-runtime', { skip }, async (t) => {
  const r = await againstAll(t, 'linux_seccomp');
  assert.ok(r.passed, explain(r));
  assert.deepEqual(allNotOk(r.tap), []);
  // the container really was checked from inside, seccomp included (runtimetest ran to its end)
  assert.equal(r.tap.inner.length, 1, explain(r));
  assert.ok(r.tap.inner[0].ok > 100, explain(r));
  assert.match(r.stdout, /ok \d+ - getcwd returns an error \(linux\.seccomp SCMP_ACT_ERRNO\)/);
});

test('runtime-tools linux_uid_mappings passes against nscope-runtime', { skip }, async (t) => {
  const r = await againstAll(t, 'linux_uid_mappings');
  assert.ok(r.passed, explain(r));
  assert.deepEqual(allNotOk(r.tap), []);
  assert.match(r.stdout, /ok \d+ - \/proc\/self\/uid_map has expected mapping \{0 1000 2000\}/);
  assert.match(r.stdout, /ok \d+ - \/proc\/self\/gid_map has expected mapping \{0 1000 3000\}/);
});

test('the whole validation suite, nscope-runtime beside runc and crun (information; NSCOPE_VALIDATION_ALL=1)', {
  skip: skip || (process.env.NSCOPE_VALIDATION_ALL !== '1' && 'set NSCOPE_VALIDATION_ALL=1 to run every validation program (a few minutes)'),
}, async (t) => {
  const programs = fs.readdirSync(path.join(DIR, 'bin')).sort();
  const runtimes = [NSCOPE, ...peers()];
  const rows: string[] = [];
  const totals = runtimes.map(() => ({ pass: 0, fail: 0, skip: 0 }));
  for (const program of programs) {
    const cells: string[] = [];
    for (const [i, rt] of runtimes.entries()) {
      const r = await runProgram(program, rt);
      const kind = r.passed ? (r.why === 'skipped' ? 'skip' : 'pass') : 'fail';
      totals[i][kind]++;
      cells.push(r.passed ? `${kind} (${checks(r.tap)})` : `**fail**: ${r.why.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 140)}`);
    }
    rows.push(`| ${program} | ${cells.join(' | ')} |`);
  }
  const table = [
    `| program | ${runtimes.map((r) => r.name).join(' | ')} |`,
    `|---|${runtimes.map(() => '---').join('|')}|`,
    ...rows,
    `| **total** (pass / fail / skip) | ${totals.map((x) => `${x.pass} / ${x.fail} / ${x.skip}`).join(' | ')} |`,
  ].join('\n');
  for (const l of table.split('\n')) t.diagnostic(l);
  if (process.env.NSCOPE_VALIDATION_TABLE) fs.writeFileSync(process.env.NSCOPE_VALIDATION_TABLE, table + '\n');
});
