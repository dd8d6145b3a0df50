// What networking adds to `podman run --rm … true` (netavark's bridge vs
// --network none), next to nscope's figure in bench/net.ts. Podman runs on
// stores and a network config dir of the bench's own, with nscope-runtime as
// its OCI runtime (runc and crun cannot raise RLIMIT_NOFILE on this project's
// machines: see test/integration/engine-podman.test.ts), so the difference
// is Podman's network set-up alone. netavark leaves shared iptables chains
// behind when its last network goes: those that were not there before are
// removed afterwards.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCommand } from '../../test/helpers/command';
import { havePodman } from '../../test/helpers/podman';
import { ruleWords } from '../../test/helpers/iptables';
import { freeTestSubnet } from '../../test/helpers/daemon';
import { shuffled } from './rounds';

const chains = (table: string) => new Set(execFileSync('iptables-save', ['-t', table], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith(':NETAVARK')).map((l) => l.slice(1).split(' ')[0]));

/** Removes the NETAVARK chains (and the jumps to them) that appeared during the bench. */
function removeNewChains(before: Record<string, Set<string>>): void {
  for (const table of ['nat', 'filter']) {
    const added = [...chains(table)].filter((c) => !before[table].has(c));
    if (!added.length) continue;
    for (const line of execFileSync('iptables-save', ['-t', table], { encoding: 'utf8' }).split('\n')) {
      if (!line.startsWith('-A ') || !added.some((c) => line.includes(`-j ${c}`)) || added.some((c) => line.startsWith(`-A ${c} `))) continue;
      try { execFileSync('iptables', ['-w', '-t', table, '-D', ...ruleWords(line)]); } catch { /* gone */ }
    }
    for (const c of added) { try { execFileSync('iptables', ['-w', '-t', table, '-F', c]); execFileSync('iptables', ['-w', '-t', table, '-X', c]); } catch { /* still used */ } }
  }
}

/** Median-ready samples of `podman run --rm` with and without a network, or why not measured. */
export async function podmanNetworkSetup(work: string, runtime: string, runs: number): Promise<{ none: number[]; bridge: number[] } | string> {
  if (!havePodman()) return 'Podman not installed';
  const dir = fs.mkdtempSync(path.join(work, 'pn-'));
  const before = { nat: chains('nat'), filter: chains('filter') };
  const g = ['--root', path.join(dir, 'root'), '--runroot', path.join(dir, 'run'), '--tmpdir', path.join(dir, 'tmp'), '--cgroup-manager', 'cgroupfs',
    '--events-backend', 'file', '--storage-driver', 'overlay', '--network-config-dir', path.join(dir, 'net'), '--runtime', runtime];
  const podman = (args: string[]) => runCommand('podman', [...g, ...args], { timeoutMs: 120000 });
  try {
    const rootfs = path.join(dir, 'rootfs');
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'net'));
    fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    fs.symlinkSync('busybox', path.join(rootfs, 'bin', 'true'));
    execFileSync('tar', ['-C', rootfs, '-cf', path.join(dir, 'bb.tar'), '.']);
    if ((await podman(['import', '-q', path.join(dir, 'bb.tar'), 'bb'])).code !== 0) return 'podman import failed';
    const net = await podman(['network', 'create', '--subnet', freeTestSubnet(), '--disable-dns', 'nsbench']);
    if (net.code !== 0) return `podman network create failed: ${net.stderr.trim().split('\n')[0]}`;
    const out = { none: [] as number[], bridge: [] as number[] };
    for (let i = 0; i < runs + 2; i++) {
      for (const mode of shuffled(['none', 'bridge'] as const)) {
        const t0 = process.hrtime.bigint();
        const r = await podman(['run', '--rm', '--network', mode === 'none' ? 'none' : 'nsbench', 'bb', 'true']);
        if (r.code !== 0) return `podman run failed: ${r.stderr.trim().split('\n')[0]}`;
        if (i >= 2) out[mode].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    return out;
  } finally {
    await podman(['network', 'rm', '-f', 'nsbench']).catch(() => undefined);
    await podman(['system', 'reset', '-f']).catch(() => undefined);
    removeNewChains(before);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
