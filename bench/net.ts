// Networking benchmark (issue 13), one run, as root, traffic on this host only:
//   throughput and connection rate to a static server (bench/fixtures/net-server.c)
//   in a container, from a Node client on the host:
//     nscope -p 127.0.0.1:P:5001   portmap's DNAT (kernel path, no proxy)
//     container address:5001       the same server reached directly (the limit)
//     docker -p 127.0.0.1:P:5001   a private dockerd with its own bridge and Docker's
//                                  default userland proxy (docker-proxy), where Docker is
//                                  installed (--iptables=false: nothing of the host's
//                                  firewall touched; from 127.0.0.1 Docker's path is the
//                                  proxy either way)
//   and the time networking adds to `run --rm /bin/true`: --network bridge vs none,
//   create+start+wait on a warm connection.
// Rounds run the paths in random order; medians go to bench/results/net.md. Reported, never asserted.
//
//   node dist/bench/net.js [--rounds N (5)] [--mb MB (256)] [--conns N (1000)] [--runs N (20)] [--no-docker] [--no-podman] [--out FILE]
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { runCommand } from '../test/helpers/command';
import { haveDocker, DOCKER } from '../test/helpers/dockerd';
import { BenchDaemon, randomTag, REPO } from './lib/daemon';
import { freeTestSubnet } from '../test/helpers/daemon';
import { podmanNetworkSetup } from './lib/podman-net';
import { fmt, mdTable, summarize } from './lib/stats';
import { shuffled } from './lib/rounds';
import { spawn } from 'child_process';

interface Options { rounds: number; mb: number; conns: number; runs: number; docker: boolean; podman: boolean; out: string }

function parseArgs(argv: string[]): Options {
  const o: Options = { rounds: 5, mb: 256, conns: 1000, runs: 20, docker: true, podman: true, out: path.join(REPO, 'bench', 'results', 'net.md') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => { const v = Number(argv[++i]); if (!Number.isInteger(v) || v < 1) throw new Error(`${a}: a positive integer, please`); return v; };
    if (a === '--rounds') o.rounds = num();
    else if (a === '--mb') o.mb = num();
    else if (a === '--conns') o.conns = num();
    else if (a === '--runs') o.runs = num();
    else if (a === '--no-docker') o.docker = false;
    else if (a === '--no-podman') o.podman = false;
    else if (a === '--out') o.out = path.resolve(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** MB/s of one bulk transfer to host:port (the server answers once it read everything). */
function throughput(host: string, port: number, mb: number): Promise<number> {
  const chunk = Buffer.alloc(1 << 20, 7);
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect({ host, port }, () => {
      let left = mb;
      const pump = () => { while (left > 0) { left--; if (!s.write(chunk)) { s.once('drain', pump); return; } } s.end(); };
      pump();
    });
    s.on('data', () => undefined);
    s.on('end', () => resolve(mb / (Number(process.hrtime.bigint() - t0) / 1e9)));
    s.on('error', reject);
  });
}

/** Connections per second, one after another: connect, shut down, read the answer. */
async function connRate(host: string, port: number, n: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve, reject) => {
      const s = net.connect({ host, port }, () => s.end());
      s.on('data', () => undefined);
      s.on('end', () => resolve());
      s.on('error', reject);
    });
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function waitServer(host: string, port: number): Promise<void> {
  for (let i = 0; i < 200; i++) { try { await connRate(host, port, 1); return; } catch { await new Promise((r) => setTimeout(r, 50)); } }
  throw new Error(`no server at ${host}:${port}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
}

interface PrivateDockerd { sock: string; stop(): Promise<void> }

/** A dockerd of the bench's own: its own data root and bridge (made here), the userland proxy on, the host's iptables untouched. */
async function startDocker(dir: string, bridge: string, subnet: string): Promise<PrivateDockerd> {
  const gw = subnet.replace(/0\/24$/, '1/24');
  execFileSync('ip', ['link', 'add', bridge, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', gw, 'dev', bridge]);
  execFileSync('ip', ['link', 'set', bridge, 'up']);
  const sock = path.join(dir, 'docker.sock');
  const p = spawn('dockerd', ['--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'exec'), '--pidfile', path.join(dir, 'docker.pid'),
    '-H', `unix://${sock}`, '--bridge', bridge, '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--ip-forward=false', '--userland-proxy=true',
    '--storage-driver', 'overlay2', '--config-file', path.join(dir, 'daemon.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  fs.writeFileSync(path.join(dir, 'daemon.json'), '{}');
  let log = '';
  p.stderr!.on('data', (d) => { log += d; });
  for (let i = 0; i < 600 && !log.includes('API listen on'); i++) { if (p.exitCode !== null) throw new Error(`dockerd: ${log.slice(-500)}`); await new Promise((r) => setTimeout(r, 100)); }
  return {
    sock,
    async stop() {
      const ids = (await runCommand(DOCKER, ['-H', `unix://${sock}`, 'ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (ids.length) await runCommand(DOCKER, ['-H', `unix://${sock}`, 'rm', '-f', ...ids]);
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await gone;
      for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
        const mp = line.split(' ')[4];
        if (mp && mp.startsWith(dir)) try { execFileSync('umount', ['-l', mp]); } catch { /* gone */ }
      }
      try { execFileSync('ip', ['link', 'delete', bridge]); } catch { /* gone */ }
    },
  };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('run as root');
  const tag = randomTag();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-bench-net-'));
  fs.chmodSync(work, 0o755);
  const server = path.join(work, 'net-server');
  execFileSync('gcc', ['-static', '-O2', '-o', server, path.join(REPO, 'bench', 'fixtures', 'net-server.c')]);
  // its own bridge and subnet (BenchDaemon's), removed with its masquerade rule by d.cleanup()
  const d = new BenchDaemon(tag);
  let docker: PrivateDockerd | undefined;
  const dockerBridge = `nsbd${tag}`;
  try {
    await d.start();
    const c = await d.client();
    await c.request('image.host', { name: 'netbench', programs: [server, 'true'] });
    const nsPort = await freePort();
    const { id } = await c.request('container.create', { image: 'netbench', cmd: [server, '5001'], publish: [`127.0.0.1:${nsPort}:5001`] });
    await c.request('container.start', { id });
    const addr = (await c.request('container.inspect', { id })).networks![0].address.split('/')[0];
    const paths: { name: string; host: string; port: number }[] = [
      { name: 'nscope, published port (portmap DNAT)', host: '127.0.0.1', port: nsPort },
      { name: 'container address directly (the limit)', host: addr, port: 5001 },
    ];
    let dockerNote = '';
    if (o.docker && haveDocker()) {
      const ddir = path.join(work, 'docker');
      fs.mkdirSync(ddir);
      docker = await startDocker(ddir, dockerBridge, freeTestSubnet());
      const dk = (args: string[], input?: Buffer) => runCommand(DOCKER, ['-H', `unix://${docker!.sock}`, ...args], { input, timeoutMs: 120000 });
      const layer = (await c.request('image.inspect', { ref: 'netbench' })).layers as unknown as { dir: string }[];
      const imp = await dk(['import', '-', 'netbench'], execFileSync('tar', ['-C', layer[0].dir, '-c', '.'], { maxBuffer: 1 << 30 }));
      if (imp.code !== 0) throw new Error(`docker import: ${imp.stderr}`);
      const dPort = await freePort();
      const r = await dk(['run', '-d', '-p', `127.0.0.1:${dPort}:5001`, 'netbench', server, '5001']);
      if (r.code !== 0) throw new Error(`docker run: ${r.stderr}`);
      paths.push({ name: 'docker, published port (docker-proxy)', host: '127.0.0.1', port: dPort });
    } else dockerNote = o.docker ? 'Docker is not installed: no docker row.' : 'Docker left out (--no-docker).';
    for (const p of paths) await waitServer(p.host, p.port);

    const tput = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    const rate = new Map<string, number[]>(paths.map((p) => [p.name, []]));
    for (let r = 0; r < o.rounds; r++) {
      for (const p of shuffled(paths)) {
        tput.get(p.name)!.push(await throughput(p.host, p.port, o.mb));
        rate.get(p.name)!.push(await connRate(p.host, p.port, o.conns));
      }
      process.stderr.write(`round ${r + 1}/${o.rounds}\n`);
    }
    const limit = paths[1].name;
    const rows = paths.map((p) => {
      const t = summarize(tput.get(p.name)!).median;
      const cr = summarize(rate.get(p.name)!).median;
      return [p.name, fmt(t, 0), `${(t / summarize(tput.get(limit)!).median).toFixed(2)}×`, fmt(cr, 0), `${(cr / summarize(rate.get(limit)!).median).toFixed(2)}×`];
    });
    await c.request('container.remove', { id, force: true });

    // set-up time: bridge vs none
    const setup: Record<string, number[]> = { none: [], bridge: [] };
    for (let i = 0; i < o.runs + 3; i++) {
      for (const mode of shuffled(['none', 'bridge'])) {
        const t0 = process.hrtime.bigint();
        const { id: x } = await c.request('container.create', { image: 'netbench', cmd: ['true'], rm: true, net: mode });
        const waited = c.request('container.wait', { id: x });
        await c.request('container.start', { id: x });
        await waited;
        if (i >= 3) setup[mode].push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    const sn = summarize(setup.none);
    const sb = summarize(setup.bridge);
    // Podman's own figure (netavark), the same way: bridge vs none, podman's CLI around each
    const pn = o.podman ? await podmanNetworkSetup(work, path.join(REPO, 'bin', 'nscope-runtime'), Math.min(o.runs, 10)) : 'left out (--no-podman)';
    const podmanLine = typeof pn === 'string' ? `Podman: ${pn}.`
      : `\`podman run --rm … true\` (netavark, nscope-runtime as its runtime), ${pn.none.length} runs each: --network none ${fmt(summarize(pn.none).median)} ms, a bridge network ${fmt(summarize(pn.bridge).median)} ms: networking adds ${fmt(summarize(pn.bridge).median - summarize(pn.none).median)} ms.`;
    const md = [
      '# Networking (bench/net.ts)', '',
      `${new Date().toISOString()}, ${os.cpus().length} CPUs, kernel ${os.release()}; ${o.rounds} rounds of ${o.mb} MB and ${o.conns} sequential connections per path, medians.`, '',
      mdTable(['path (client on the host)', 'MB/s', 'vs direct', 'connections/s', 'vs direct'], rows), '',
      dockerNote, '',
      `\`run --rm true\` (create + start + wait, warm client), ${o.runs} runs each: --network none ${fmt(sn.median)} ms, bridge ${fmt(sb.median)} ms: networking adds ${fmt(sb.median - sn.median)} ms (p90 ${fmt(sn.p90)} / ${fmt(sb.p90)}).`, '',
      podmanLine, '',
    ].join('\n');
    process.stdout.write(md);
    fs.mkdirSync(path.dirname(o.out), { recursive: true });
    fs.writeFileSync(o.out, md);
    fs.writeFileSync(o.out.replace(/\.md$/, '.json'), JSON.stringify({ throughput: Object.fromEntries(tput), connRate: Object.fromEntries(rate), setup }, null, 1));
  } finally {
    await docker?.stop().catch((e) => process.stderr.write(`docker stop: ${e}\n`));
    const leaks = await d.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
    if (leaks.length) process.stderr.write(`leaked: ${leaks.join(', ')}\n`);
  }
}

main().catch((e) => { process.stderr.write(`bench/net: ${(e as Error).message}\n`); process.exitCode = 1; });
