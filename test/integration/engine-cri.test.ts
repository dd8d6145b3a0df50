// nscope-runtime as Kubernetes reaches it: containerd's CRI plugin with a
// RuntimeClass handler `nscope` (runc shim v2, BinaryName = nscope-runtime),
// driven over the CRI gRPC API as the kubelet drives it: a pod sandbox (its
// pause process), an app container that joins the pod's namespaces by path
// (/proc/PID/ns/*), linux.resources, sysctls and annotations from the CRI,
// exec, stats, stop with the exit code, removal; security contexts compared
// with what runc gives. runc, the second handler, is the control.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { haveContainerd } from '../helpers/containerd';
import { CRI_IMAGE, CriContainerd, criClient, type CriClient, type Handler } from '../helpers/cri';
import { runCommand } from '../helpers/command';
import { waitFor } from '../helpers/containers';
import { removeBridge, removeCgroupTree } from '../helpers/daemon';
import { assertNothingLeft } from '../helpers/engines';
import { cgroupName } from '../helpers/run-scope';

const skip = haveContainerd() ? false : 'containerd is not installed (scripts/setup-engines.sh installs it)';
let dir: string;
let parent: string;
let engine: CriContainerd;
let cri: CriClient;

before(async () => {
  if (skip) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-cri-'));
  fs.chmodSync(dir, 0o755);
  parent = cgroupName('cri');
  engine = new CriContainerd(dir);
  await engine.start();
  cri = criClient(engine.socket);
  await engine.importImage();
  // the CRI plugin learns of the import from containerd's events
  await waitFor(async () => !!(await cri.image('ImageStatus', { image: { image: CRI_IMAGE } })).image, 10000, 'the CRI to see the image');
});

after(async () => {
  if (skip) return;
  try {
    // what a failed test left goes first, through the CRI
    for (const p of engine && cri ? await containerIds() : []) {
      await cri.runtime('StopPodSandbox', { pod_sandbox_id: p }).catch(() => undefined);
      await cri.runtime('RemovePodSandbox', { pod_sandbox_id: p }).catch(() => undefined);
    }
    cri?.close();
    await engine?.stop();
    assertNothingLeft(dir);
    assert.deepEqual(removeBridge(engine.bridge), [], 'the pod network\'s bridge removed');
    await removeCgroupTree(parent);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Every container containerd holds (sandboxes among them: the CRI refuses the others). */
async function containerIds(): Promise<string[]> {
  const r = await engine.ctr(['containers', 'ls', '-q']);
  return r.stdout.split('\n').filter(Boolean);
}

/**
 * The node's network (no CNI plugin runs, the host's uts too) with one pid namespace for the
 * pod (shareProcessNamespace), or the kubelet's defaults: the pod's own network (on the
 * test's bridge), uts and ipc, a pid namespace per container.
 */
type Net = 'NODE' | 'POD';

const podConfig = (h: Handler, net: Net) => ({
  metadata: { name: `pod-${h}-${net}`, uid: `uid-${h}-${net}`, namespace: 'nscope-test', attempt: 0 },
  // a hostname needs the pod's own uts namespace: runc and nscope-runtime refuse to rename the node
  hostname: net === 'POD' ? `pod-${h}` : '',
  log_directory: path.join(dir, 'logs', `${h}-${net}`),
  labels: { test: 'engine-cri' },
  annotations: { 'nscope.test/handler': h },
  linux: {
    // one level per pod below the parent, as the kubelet's /kubepods/<qos>/pod<uid>: the runtime makes the path
    cgroup_parent: `/${parent}/pod-${h}-${net}`,
    security_context: { namespace_options: { network: net, pid: net === 'POD' ? 'CONTAINER' : 'POD', ipc: 'POD' } },
    // namespaced sysctls of the pod's own net and ipc namespaces (the node's net is not for a pod to change)
    sysctls: net === 'POD' ? { 'net.ipv4.ip_unprivileged_port_start': '80', 'kernel.shm_rmid_forced': '1' } : {},
  },
});

const info = (r: Record<string, any>) => JSON.parse(r.info.info) as { pid: number; runtimeSpec: { linux: { namespaces: { type: string; path?: string }[] } } };
const cniCache = () => { try { return fs.readdirSync('/var/lib/cni/results'); } catch { return []; } };
const inSubnet = (ip: string, cidr: string) => ip.split('.').slice(0, 3).join('.') === cidr.split('.').slice(0, 3).join('.');
/** The cgroup directories of a sandbox or container below the pods' cgroup parent, in every hierarchy. */
const cgroupsOf = (id: string, cgroupParent: string) => fs.readdirSync('/sys/fs/cgroup').map((c) => path.join('/sys/fs/cgroup', c, cgroupParent, id)).filter((p) => fs.existsSync(p));
const ns = (pid: number, kind: string) => fs.readlinkSync(`/proc/${pid}/ns/${kind}`);
const memLimit = (pid: number) => {
  const rel = /^\d+:memory:(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? /^0::(.*)$/m.exec(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'))![1];
  const v1 = path.join('/sys/fs/cgroup/memory', rel, 'memory.limit_in_bytes');
  return Number(fs.readFileSync(fs.existsSync(v1) ? v1 : path.join('/sys/fs/cgroup', rel, 'memory.max'), 'utf8'));
};

async function podLifecycle(h: Handler, net: Net): Promise<void> {
  const root = engine.runtimeRoot(h);
  const config = podConfig(h, net);
  const pod = (await cri.runtime('RunPodSandbox', { config, runtime_handler: h })).pod_sandbox_id as string;
  const ps = await cri.runtime('PodSandboxStatus', { pod_sandbox_id: pod, verbose: true });
  assert.equal(ps.status.state, 'SANDBOX_READY');
  assert.equal(ps.status.runtime_handler, h);
  const pause = info(ps).pid;
  // runc's `start` answers once the init has its go, a moment before it execs: until then its
  // cmdline is still `runc init` (seen once in CI), so the pause program is waited for, briefly
  const cmdline = () => fs.readFileSync(`/proc/${pause}/cmdline`, 'utf8');
  await waitFor(async () => cmdline() === '/bin/busybox\0sleep\x002147483647\0', 5000, 'the pause process runs').catch(() => undefined);
  assert.equal(cmdline(), '/bin/busybox\0sleep\x002147483647\0', 'the pause process runs');
  assert.ok(fs.existsSync(path.join(root, pod)), `${h}'s root holds the sandbox`);
  if (net === 'POD') {
    // containerd made and pinned the pod's netns itself: the pause must have joined that one, by path
    const pinned = info(ps).runtimeSpec.linux.namespaces.find((n) => n.type === 'network')?.path ?? '';
    assert.ok(pinned.startsWith(dir), `the netns is pinned in the test's dir: ${pinned}`);
    assert.equal(ns(pause, 'net'), `net:[${fs.statSync(pinned).ino}]`, 'the pause is in the pinned netns');
    assert.ok(inSubnet(ps.status.network.ip, engine.subnet), `a pod IP from the bridge's subnet: ${ps.status.network.ip}`);
  }

  const MiB64 = 64 * 1024 * 1024;
  const ctr = (await cri.runtime('CreateContainer', {
    pod_sandbox_id: pod,
    sandbox_config: config,
    config: {
      metadata: { name: 'app', attempt: 0 },
      image: { image: CRI_IMAGE },
      // TERM ends it with 7, after the current `sleep 1`: StopContainer must bring back 7
      command: ['/bin/sh', '-c', 'trap "exit 7" TERM; echo started; while true; do sleep 1; done'],
      envs: [{ key: 'GREETING', value: 'hi' }],
      annotations: { 'nscope.test/container': 'app' },
      log_path: 'app.log',
      // the kubelet repeats the pod's namespace options per container: the pid one is decided here
      linux: { resources: { memory_limit_in_bytes: MiB64, cpu_shares: 512 }, security_context: { namespace_options: config.linux.security_context.namespace_options } },
    },
  })).container_id as string;
  assert.equal((await cri.runtime('ContainerStatus', { container_id: ctr })).status.state, 'CONTAINER_CREATED');
  await cri.runtime('StartContainer', { container_id: ctr });
  const cs = await cri.runtime('ContainerStatus', { container_id: ctr, verbose: true });
  assert.equal(cs.status.state, 'CONTAINER_RUNNING');
  assert.ok(fs.existsSync(path.join(root, ctr)), `${h}'s root holds the container`);
  const app = info(cs).pid;
  // the app joined the pod's namespaces (the spec names them by /proc/<pause>/ns/* path), not new ones
  for (const kind of ['ipc', 'net', 'uts']) assert.equal(ns(app, kind), ns(pause, kind), `${kind} namespace shared with the pause`);
  assert.equal(ns(app, 'pid') === ns(pause, 'pid'), net === 'NODE', 'the pod\'s pid namespace, or the container\'s own');
  assert.equal(ns(app, 'net') === ns(process.pid, 'net'), net === 'NODE', 'the node\'s network, or the pod\'s own');
  assert.notEqual(ns(app, 'mnt'), ns(pause, 'mnt'), 'a mount namespace of its own');
  assert.equal(memLimit(app), MiB64, 'linux.resources.memory from the CRI');
  assert.ok(cgroupsOf(ctr, config.linux.cgroup_parent).length > 0 && cgroupsOf(pod, config.linux.cgroup_parent).length > 0, 'cgroups below the pod\'s cgroup_parent');
  // the kubelet's in-place resize: the shim calls the runtime's `update --resources -`
  await cri.runtime('UpdateContainerResources', { container_id: ctr, linux: { memory_limit_in_bytes: 2 * MiB64, cpu_shares: 256 } });
  assert.equal(memLimit(app), 2 * MiB64, 'UpdateContainerResources reached the cgroup');
  // what the runtime keeps of the spec's annotations: the CRI's own and those the handler lets through
  const state = JSON.parse((await runCommand(engine.runtimeBinary(h), ['--root', root, 'state', ctr])).stdout);
  assert.equal(state.annotations['io.kubernetes.cri.container-type'], 'container');
  assert.equal(state.annotations['io.kubernetes.cri.sandbox-id'], pod);
  assert.equal(state.annotations['nscope.test/container'], 'app');
  const sandboxState = JSON.parse((await runCommand(engine.runtimeBinary(h), ['--root', root, 'state', pod])).stdout);
  assert.equal(sandboxState.annotations['io.kubernetes.cri.container-type'], 'sandbox');
  assert.equal(sandboxState.annotations['nscope.test/handler'], h);
  assert.equal(sandboxState.status, 'running');

  const echo = await cri.runtime('ExecSync', { container_id: ctr, cmd: ['echo', 'hi'], timeout: 10 });
  assert.equal(echo.stdout.toString(), 'hi\n');
  assert.equal(echo.exit_code, 0);
  const fail = await cri.runtime('ExecSync', { container_id: ctr, cmd: ['sh', '-c', 'echo $GREETING >&2; exit 3'], timeout: 10 });
  assert.equal(fail.stderr.toString(), 'hi\n');
  assert.equal(fail.exit_code, 3);
  const hostname = (await cri.runtime('ExecSync', { container_id: ctr, cmd: ['cat', '/proc/sys/kernel/hostname'], timeout: 10 })).stdout.toString();
  assert.equal(hostname, net === 'POD' ? `pod-${h}\n` : `${os.hostname()}\n`, 'the pod\'s uts namespace, or the node\'s');
  // PID 1 is the pause in the pod's pid namespace, the app itself in its own
  const one = await cri.runtime('ExecSync', { container_id: ctr, cmd: ['cat', '/proc/1/cmdline'], timeout: 10 });
  assert.equal(one.stdout.toString(), net === 'NODE' ? '/bin/busybox\0sleep\x002147483647\0' : fs.readFileSync(`/proc/${app}/cmdline`, 'utf8'));
  if (net === 'POD') {
    const sysctl = await cri.runtime('ExecSync', { container_id: ctr, cmd: ['cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start', '/proc/sys/kernel/shm_rmid_forced'], timeout: 10 });
    assert.equal(sysctl.stdout.toString(), '80\n1\n', 'the pod\'s sysctls, in the namespaces the app shares');
  }
  // the shim reads the stats from the cgroup nscope-runtime put the init in
  const stats = (await cri.runtime('ContainerStats', { container_id: ctr })).stats;
  assert.ok(stats.memory.working_set_bytes.value > 0 && stats.cpu.usage_core_nano_seconds.value > 0, JSON.stringify(stats));

  await cri.runtime('StopContainer', { container_id: ctr, timeout: 10 });
  const stopped = (await cri.runtime('ContainerStatus', { container_id: ctr })).status;
  assert.equal(stopped.state, 'CONTAINER_EXITED');
  assert.equal(stopped.exit_code, 7, 'the TERM trap\'s exit code');
  assert.match(fs.readFileSync(path.join(config.log_directory, 'app.log'), 'utf8'), /stdout F started/);
  await cri.runtime('RemoveContainer', { container_id: ctr });
  assert.ok(!fs.existsSync(path.join(root, ctr)), 'the container\'s state is gone');
  assert.ok(fs.existsSync(`/proc/${pause}`), 'the pod outlives its container');

  await cri.runtime('StopPodSandbox', { pod_sandbox_id: pod });
  await waitFor(() => !fs.existsSync(`/proc/${pause}`), 10000, 'the pause to exit');
  await cri.runtime('RemovePodSandbox', { pod_sandbox_id: pod });
  for (const id of [pod, ctr]) assert.ok(!fs.existsSync(path.join(root, id)), `${h}'s root keeps nothing of ${id}`);
  for (const id of [pod, ctr]) assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(id), `no mount of ${id} left`);
  for (const id of [pod, ctr]) assert.deepEqual(cgroupsOf(id, config.linux.cgroup_parent), [], `the cgroups of ${id} are gone`);
  // libcni's result cache (the host's /var/lib/cni) keeps nothing of the pod
  assert.deepEqual(cniCache().filter((f) => f.includes(pod)), [], 'the CNI result cache of the pod is gone');
  assert.equal((await cri.runtime('ListContainers', { filter: { pod_sandbox_id: pod } })).containers.length, 0);
}

test('CRI Version: containerd serves runtime.v1', { skip }, async () => {
  const v = await cri.runtime('Version', { version: 'v1' });
  assert.equal(v.runtime_name, 'containerd');
  assert.equal(v.runtime_api_version, 'v1');
});

// runc first: if the control fails, the host is at fault, not nscope-runtime
for (const net of ['NODE', 'POD'] as const) {
  for (const h of ['runc', 'nscope'] as const) {
    test(`runtime_handler ${h}${h === 'runc' ? ' (the control)' : ' (RuntimeClass)'}, network ${net}: pod, container, exec, stop with its exit code, removal`, { skip }, () => podLifecycle(h, net));
  }
}

/** What a process in the container sees of its privileges and mounts: the same under both handlers. */
const FINGERPRINT = [
  'for f in Uid Gid Groups CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs Seccomp; do /bin/busybox grep "^$f:" /proc/self/status; done',
  '/bin/busybox touch /x 2>/dev/null; echo "rootfs write: $?"',
  // /proc/keys lists the session keyring (runc names it after the container, nscope-runtime's is
  // anonymous): only whether it reads empty, as /dev/null masking it does (this host has no /proc/kcore)
  '[ "$(/bin/busybox wc -c < /proc/keys)" = 0 ] && echo "keys: empty" || echo "keys: content"',
  // mount point and per-mount options; the sources and super options (sizes, ids) differ by nature
  '/bin/busybox awk \'{print $5, $6}\' /proc/self/mountinfo | /bin/busybox sort',
].join('\n');

/** The kubelet's usual restrictions: non-root, all capabilities dropped but one, the runtime's seccomp profile. */
const RESTRICTED = {
  capabilities: { drop_capabilities: ['ALL'], add_capabilities: ['NET_BIND_SERVICE'] },
  run_as_user: { value: 1000 },
  readonly_rootfs: true,
  no_new_privs: true,
  seccomp: { profile_type: 'RuntimeDefault' },
  masked_paths: ['/proc/keys', '/proc/timer_list'],
  readonly_paths: ['/proc/sys', '/proc/sysrq-trigger'],
};

async function fingerprints(h: Handler): Promise<Record<string, string>> {
  const config = { ...podConfig(h, 'NODE'), metadata: { name: `sec-${h}`, uid: `sec-${h}`, namespace: 'nscope-test', attempt: 0 } };
  const pod = (await cri.runtime('RunPodSandbox', { config, runtime_handler: h })).pod_sandbox_id as string;
  const out: Record<string, string> = {};
  try {
    for (const [name, security_context] of [['default', {}], ['restricted', RESTRICTED]] as const) {
      const ctr = (await cri.runtime('CreateContainer', {
        pod_sandbox_id: pod,
        sandbox_config: config,
        config: { metadata: { name }, image: { image: CRI_IMAGE }, command: ['/bin/busybox', 'sleep', '600'], log_path: `${name}.log`, linux: { security_context } },
      })).container_id as string;
      await cri.runtime('StartContainer', { container_id: ctr });
      const r = await cri.runtime('ExecSync', { container_id: ctr, cmd: ['/bin/sh', '-c', FINGERPRINT], timeout: 10 });
      assert.equal(r.exit_code, 0, r.stderr.toString());
      out[name] = r.stdout.toString();
    }
  } finally {
    await cri.runtime('StopPodSandbox', { pod_sandbox_id: pod });
    await cri.runtime('RemovePodSandbox', { pod_sandbox_id: pod });
  }
  return out;
}

test('security contexts as the CRI writes them: nscope-runtime gives the container what runc gives it', { skip }, async () => {
  const runc = await fingerprints('runc');
  const nscope = await fingerprints('nscope');
  // The one difference, by design: the spec's /sys/fs/cgroup mount is "ro"; on cgroup v1 that
  // is a tmpfs of the hierarchies' bind mounts. nscope-runtime mounts the tmpfs read-only too;
  // runc since 1.0.0-rc91 leaves the tmpfs itself writable (only the binds are ro).
  const asRunc = (fp: string) => fp.replace(/^\/sys\/fs\/cgroup ro,/m, '/sys/fs/cgroup rw,');
  assert.deepEqual({ default: asRunc(nscope.default), restricted: asRunc(nscope.restricted) }, runc);
  assert.match(runc.restricted, /^Uid:\s+1000\s/m);
  assert.match(runc.restricted, /^CapBnd:\s+0000000000000400$/m, 'NET_BIND_SERVICE only');
  assert.match(runc.restricted, /^NoNewPrivs:\s+1$/m);
  assert.match(runc.restricted, /^Seccomp:\s+2$/m, 'the runtime default seccomp profile');
  assert.match(runc.restricted, /^rootfs write: 1$/m);
  assert.match(runc.restricted, /^keys: empty$/m, 'masked_paths');
  assert.match(runc.default, /^keys: content$/m, 'not masked unless asked');
  assert.match(runc.default, /^Seccomp:\s+0$/m, 'no profile unless asked (containerd 1.6)');
});
