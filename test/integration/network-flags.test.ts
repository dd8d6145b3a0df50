// Docker's `network` flags with real bridges, namespaces and iptables (as
// root): create --internal, --ip-range, --aux-address, -o (bridge name, MTU,
// masquerading, inter-container traffic), ls -q/--filter/--no-trunc/--format,
// inspect's document, prune, connect's flags, and what is refused leaving
// nothing behind. Every network has a subnet of its own (freeTestSubnet);
// traffic goes only to the containers and bridges made here and to
// listeners this test opens on those bridges' addresses.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { freeTestSubnet, REPO, TEST_PROGRAMS, TestDaemon } from '../helpers/daemon';
import { PrivateTmux } from '../helpers/tmux';

let d: TestDaemon;
let c: HelperClient;
const tag = Math.random().toString(36).slice(2, 8);
/** a static busybox (httpd, nc, ip) beside the usual programs */
const IMAGE = 'nwflags';
const SERVE = 'busybox mkdir -p /www; echo "hello from $(busybox hostname)" > /www/index.html; exec busybox httpd -f -p 80 -h /www';

before(async () => {
  d = new TestDaemon('nwflags');
  await d.start();
  c = await d.client();
  await c.request('image.host', { name: IMAGE, programs: [...TEST_PROGRAMS, 'busybox'] });
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const ok = (args: string[]) => d.ok(args);
const run = async (args: string[]) => (await ok(['run', ...args])).trim();
const create = (args: string[]) => ok(['network', 'create', ...args]);
const inspect = async (name: string) => JSON.parse(await ok(['network', 'inspect', name]))[0];
/** "10.200.3" of "10.200.3.0/24" */
const prefix3 = (subnet: string) => subnet.split('/')[0].split('.').slice(0, 3).join('.');
const allRules = () => execFileSync('iptables-save', { encoding: 'utf8' });

async function execOut(id: string, cmd: string[]): Promise<string> {
  const r = await d.cli(['exec', id, ...cmd]);
  assert.equal(r.code, 0, `exec ${cmd.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The container's IPv4 address on an interface. */
async function addrOf(id: string, ifname = 'eth0'): Promise<string> {
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(await execOut(id, ['busybox', 'ip', '-o', '-4', 'addr', 'show', ifname]));
  assert.ok(m, `no address on ${ifname}`);
  return m[1];
}

/** A TCP connection from inside a container: what the other end said (empty when nothing answered). */
async function talk(id: string, host: string, port: number): Promise<string> {
  const r = await d.cli(['exec', id, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 2 ${host} ${port}`]);
  return r.stdout;
}

/** A listener of the test's own on a host address (a bridge's), answering every connection with one line. */
async function listenOn(address: string): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((s) => { s.on('error', () => undefined); s.end('hello from the host\n'); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, address, resolve); });
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { timeout: 3000 }, (res) => { let b = ''; res.on('data', (x) => { b += x; }); res.on('end', () => resolve(b)); }).on('error', reject);
  });
}

/** What a network left behind: its files, its address store, a netfilter rule naming it, a bridge. */
function leftovers(name: string, bridge?: string): string[] {
  const out: string[] = [];
  for (const f of [`${name}.json`, `${name}.conflist`, path.join('ipam', name)]) if (fs.existsSync(path.join(d.root, 'networks', f))) out.push(f);
  const rules = allRules().split('\n').filter((l) => l.includes(`nscope network ${name} `) || l.includes(`nscope network ${name}"`) || (bridge !== undefined && l.includes(` ${bridge} `)));
  out.push(...rules);
  if (bridge !== undefined && fs.existsSync(`/sys/class/net/${bridge}`)) out.push(`bridge ${bridge}`);
  return out;
}

test('--internal: its containers reach each other and nothing past the bridge, not even with a route of their own; no NAT rule; its rules go with it', async () => {
  const inner = `nw-int-${tag}`;
  const outer = `nw-out-${tag}`;
  const sIn = freeTestSubnet();
  const sOut = freeTestSubnet();
  await create(['--internal', '--subnet', sIn, inner]);
  await create(['--subnet', sOut, outer]);
  assert.equal((await inspect(inner)).Internal, true);
  // outside the internal subnet: the other network's bridge (made by its first container), with a listener on it
  const far = await run(['-d', '--network', outer, IMAGE, 'sh', '-c', SERVE]);
  const farAddr = await addrOf(far);
  const gwOut = `${prefix3(sOut)}.1`;
  const listener = await listenOn(gwOut);
  try {
    const srv = await run(['-d', '--network', inner, '--name', `isrv-${tag}`, IMAGE, 'sh', '-c', SERVE]);
    // NET_ADMIN: to add a route of its own below
    const cli = await run(['-d', '--network', inner, '--cap-add', 'NET_ADMIN', '--name', `icli-${tag}`, IMAGE, 'sleep', '120']);
    const srvAddr = await addrOf(srv);
    await waitFor(async () => /hello from/.test(await talk(cli, srvAddr, 80)), 10000, 'the server on the internal network');
    assert.match(await talk(cli, `isrv-${tag}`, 80), /hello from/, 'by name');
    // the host still reaches them at their addresses (as Docker's internal networks)
    assert.match(await get(`http://${srvAddr}/`), /hello from/);
    // the control: a container of the default network reaches the listener outside its subnet
    const ctl = await run(['-d', IMAGE, 'sleep', '120']);
    assert.match(await talk(ctl, gwOut, listener.port), /hello from the host/);

    assert.doesNotMatch(await execOut(cli, ['busybox', 'ip', 'route']), /default/, 'no default route');
    assert.equal(await talk(cli, gwOut, listener.port), '', 'no way to the host address outside the subnet');
    assert.equal(await talk(cli, farAddr, 80), '', 'nor to the other network\'s container');
    // with a route through the host's address on the bridge: still nothing leaves
    await execOut(cli, ['busybox', 'ip', 'route', 'add', 'default', 'via', `${prefix3(sIn)}.1`]);
    assert.equal(await talk(cli, gwOut, listener.port), '', 'the host address outside, routed');
    assert.equal(await talk(cli, farAddr, 80), '', 'the other network\'s container, routed');
    assert.match(await talk(cli, srvAddr, 80), /hello from/, 'the neighbour still answers');

    const bridge = (await inspect(inner)).Nscope.bridge as string;
    const raw = execFileSync('iptables-save', ['-t', 'raw'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`nscope network ${inner} internal`));
    assert.equal(raw.length, 2, raw.join('\n'));
    assert.ok(!execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).includes(`-s ${sIn} `), 'no masquerade rule for the internal subnet');
    await ok(['rm', '-f', srv, cli, ctl]);
    await ok(['network', 'rm', inner]);
    assert.deepEqual(leftovers(inner, bridge), []);
  } finally {
    listener.close();
    await d.cli(['rm', '-f', far]);
    await d.cli(['network', 'rm', outer]);
  }
});

test('--ip-range and --aux-address: containers get addresses of the range only, never an aux one; a --ip may lie outside the range; inspect shows them', async () => {
  const name = `nw-rng-${tag}`;
  const subnet = freeTestSubnet();
  const p = prefix3(subnet);
  await create(['--subnet', subnet, '--ip-range', `${p}.128/30`, '--aux-address', `router=${p}.129`, name]);
  const doc = await inspect(name);
  assert.deepEqual(doc.IPAM.Config, [{ Subnet: subnet, IPRange: `${p}.128/30`, Gateway: `${p}.1`, AuxiliaryAddresses: { router: `${p}.129` } }]);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push(await run(['-d', '--network', name, IMAGE, 'sleep', '120']));
  // .128-.131 without .129, in order
  assert.deepEqual(await Promise.all(ids.map((id) => addrOf(id))), [`${p}.128`, `${p}.130`, `${p}.131`]);
  // the range is used up: the next one is refused, not given an address elsewhere in the subnet
  const full = await d.cli(['run', '--rm', '--network', name, IMAGE, 'true']);
  assert.notEqual(full.code, 0);
  assert.match(full.stderr, /no IP addresses available/);
  // --ip: anywhere in the subnet, the range's outside too; an aux address is refused
  const fixed = await ok(['run', '--rm', '--network', name, '--ip', `${p}.20`, IMAGE, 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'eth0']);
  assert.match(fixed, new RegExp(`inet ${p.replace(/\./g, '\\.')}\\.20/24`));
  const aux = await d.cli(['run', '--rm', '--network', name, '--ip', `${p}.129`, IMAGE, 'true']);
  assert.notEqual(aux.code, 0);
  assert.match(aux.stderr, /reserved on network .* \(--aux-address router\): Address already in use/);
  await ok(['rm', '-f', ...ids]);
  await ok(['network', 'rm', name]);
  assert.deepEqual(leftovers(name), []);
});

test('-o bridge name and MTU: the bridge has that name, eth0 that MTU; kept with the network over a helper restart (and --internal, --ip-range, labels)', async () => {
  const name = `nw-opt-${tag}`;
  const bridge = `nw-${tag}`;
  const subnet = freeTestSubnet();
  await create(['--subnet', subnet, '-o', `com.docker.network.bridge.name=${bridge}`, '-o', 'com.docker.network.driver.mtu=1400', '--attachable', '--label', 'k=v', name]);
  const second = `nw-opt2-${tag}`;
  const subnet2 = freeTestSubnet();
  await create(['--internal', '--subnet', subnet2, '--ip-range', `${prefix3(subnet2)}.64/26`, second]);
  const id = await run(['-d', '--network', name, IMAGE, 'sleep', '120']);
  assert.equal((await execOut(id, ['cat', '/sys/class/net/eth0/mtu'])).trim(), '1400');
  assert.ok(fs.existsSync(`/sys/class/net/${bridge}/bridge`), `the bridge is ${bridge}`);
  assert.equal(fs.readFileSync(`/sys/class/net/${bridge}/mtu`, 'utf8').trim(), '1400');
  const expect = (doc: Record<string, unknown>) => {
    assert.deepEqual(doc.Options, { 'com.docker.network.bridge.name': bridge, 'com.docker.network.driver.mtu': '1400' });
    assert.equal(doc.Attachable, true);
    assert.deepEqual(doc.Labels, { k: 'v' });
  };
  expect(await inspect(name));

  d.kill9();
  await d.waitExit();
  await d.start();
  c = await d.client();
  expect(await inspect(name));
  const doc2 = await inspect(second);
  assert.equal(doc2.Internal, true);
  assert.equal(doc2.IPAM.Config[0].IPRange, `${prefix3(subnet2)}.64/26`);
  // and they still act on it: a new container has the MTU; one on the internal network an address of its range and no route out
  const id2 = await run(['-d', '--network', name, IMAGE, 'sleep', '120']);
  assert.equal((await execOut(id2, ['cat', '/sys/class/net/eth0/mtu'])).trim(), '1400');
  const id3 = await run(['-d', '--network', second, IMAGE, 'sleep', '120']);
  const last = Number((await addrOf(id3)).split('.')[3]);
  assert.ok(last >= 64 && last < 128, `${last} in .64/26`);
  assert.doesNotMatch(await execOut(id3, ['busybox', 'ip', 'route']), /default/);
  await ok(['rm', '-f', id, id2, id3]);
  await ok(['network', 'rm', name, second]);
  assert.deepEqual(leftovers(name, bridge), []);
  assert.deepEqual(leftovers(second), []);
});

test('-o enable_icc=false: containers on the network do not reach each other, the host at the gateway they do; enable_ip_masquerade=false: no NAT rule', async () => {
  const name = `nw-icc-${tag}`;
  const subnet = freeTestSubnet();
  await create(['--subnet', subnet, '-o', 'com.docker.network.bridge.enable_icc=false', '-o', 'com.docker.network.bridge.enable_ip_masquerade=false', name]);
  const srv = await run(['-d', '--network', name, IMAGE, 'sh', '-c', SERVE]);
  const cli = await run(['-d', '--network', name, IMAGE, 'sleep', '120']);
  const srvAddr = await addrOf(srv);
  const listener = await listenOn(`${prefix3(subnet)}.1`);
  try {
    assert.match(await talk(cli, `${prefix3(subnet)}.1`, listener.port), /hello from the host/);
    // the server is up (the host reaches it), its neighbour does not
    await waitFor(async () => /hello from/.test(await get(`http://${srvAddr}/`).catch(() => '')), 10000, 'the server');
    assert.equal(await talk(cli, srvAddr, 80), '');
  } finally { listener.close(); }
  assert.ok(!execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).includes(`-s ${subnet} `), 'no masquerade rule');
  await ok(['rm', '-f', srv, cli]);
  await ok(['network', 'rm', name]);
  assert.deepEqual(leftovers(name), []);
});

test('network ls: -q, --no-trunc, --filter (driver, id, label, name, scope, type, dangling), --format with Docker\'s fields; inspect\'s document', async () => {
  const a = `nw-lsa-${tag}`;
  const b = `nw-lsb-${tag}`;
  const idA = (await create(['--subnet', freeTestSubnet(), '--label', 'team=a', a])).trim();
  const idB = (await create(['--subnet', freeTestSubnet(), '--label', 'team=b', '--label', 'tier=db', '--internal', b])).trim();
  const q = async (...args: string[]) => (await ok(['network', 'ls', '-q', ...args])).split('\n').filter(Boolean);
  const all = await q();
  assert.ok(all.every((l) => /^[0-9a-f]{12}$/.test(l)), all.join(' '));
  assert.ok(all.includes(idA.slice(0, 12)) && all.includes(idB.slice(0, 12)));
  assert.ok((await q('--no-trunc')).includes(idA));
  assert.deepEqual(await q('--filter', 'label=team=a'), [idA.slice(0, 12)]);
  assert.deepEqual(await q('--filter', 'label=tier'), [idB.slice(0, 12)]);
  assert.deepEqual(await q('-f', 'label=team', '-f', 'label=tier=db'), [idB.slice(0, 12)]);
  assert.deepEqual(await q('--filter', `name=nw-ls.-${tag}`), [idA.slice(0, 12), idB.slice(0, 12)]);
  assert.deepEqual(await q('--filter', `id=${idB.slice(0, 8)}`), [idB.slice(0, 12)]);
  const names = async (...args: string[]) => (await ok(['network', 'ls', '--format', '{{.Name}}', ...args])).split('\n').filter(Boolean);
  assert.deepEqual(await names('--filter', 'type=builtin'), ['nscope']);
  assert.ok(!(await names('--filter', 'type=custom')).includes('nscope'));
  const dangling = await names('--filter', 'dangling=true');
  assert.ok(dangling.includes(a) && dangling.includes(b) && !dangling.includes('nscope'), dangling.join(' '));
  assert.ok((await names('--filter', 'dangling=false')).includes('nscope'));
  assert.ok((await names('--filter', 'driver=bridge')).includes(a));
  assert.deepEqual(await names('--filter', 'driver=overlay'), []);
  assert.ok((await names('--filter', 'scope=local')).includes(a));
  assert.deepEqual(await names('--filter', 'scope=swarm'), []);
  for (const bad of ['bogus=1', 'type=other', 'dangling=maybe', 'scope=planet']) {
    const r = await d.cli(['network', 'ls', '--filter', bad]);
    assert.notEqual(r.code, 0, bad);
    assert.match(r.stderr, /invalid filter|Unrecognised|true or false/, bad);
  }
  const line = (await ok(['network', 'ls', '--filter', `name=^${b}$`, '--format', '{{.ID}}|{{.Name}}|{{.Driver}}|{{.Scope}}|{{.IPv6}}|{{.Internal}}|{{.Labels}}|{{.Label "tier"}}|{{.CreatedAt}}'])).trim();
  assert.match(line, new RegExp(`^${idB.slice(0, 12)}\\|${b}\\|bridge\\|local\\|false\\|true\\|team=b,tier=db\\|db\\|\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+0000 UTC$`));
  assert.match(await ok(['network', 'ls', '--no-trunc', '--filter', `name=^${a}$`, '--format', '{{.ID}}']), new RegExp(`^${idA}\\n$`));
  const tbl = (await ok(['network', 'ls', '--filter', `name=^${a}$`, '--format', 'table {{.Name}}\\t{{.Internal}}'])).split('\n');
  assert.match(tbl[0], /^NAME\s+INTERNAL$/);
  assert.match(tbl[1], new RegExp(`^${a}\\s+false$`));
  // the plain table marks the internal one
  assert.match(await ok(['network', 'ls', '--filter', `name=^${b}$`]), new RegExp(`${b} \\(internal\\)`));

  // inspect: Docker's keys, -v accepted, -f templates
  const doc = JSON.parse(await ok(['network', 'inspect', '-v', b]))[0];
  assert.deepEqual(Object.keys(doc), ['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels', 'Nscope']);
  assert.equal(doc.Id, idB);
  assert.deepEqual([doc.Scope, doc.Driver, doc.EnableIPv6, doc.Internal, doc.Ingress, doc.ConfigOnly], ['local', 'bridge', false, true, false, false]);
  assert.deepEqual(Object.keys(doc.IPAM), ['Driver', 'Options', 'Config']);
  assert.deepEqual(doc.Labels, { team: 'b', tier: 'db' });
  const id = await run(['-d', '--network', b, '--name', `nw-ep-${tag}`, IMAGE, 'sleep', '60']);
  const ep = (await inspect(b)).Containers[id];
  assert.equal(ep.Name, `nw-ep-${tag}`);
  assert.match(ep.EndpointID, /^[0-9a-f]{64}$/);
  assert.match(ep.MacAddress, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  assert.equal(ep.IPv4Address.split('/')[0], await addrOf(id));
  assert.equal(ep.IPv6Address, '');
  assert.equal(await ok(['network', 'inspect', '-f', '{{.Internal}} {{range .IPAM.Config}}{{.Subnet}}{{end}} {{index .Labels "team"}}', b]), `true ${doc.IPAM.Config[0].Subnet} b\n`);
  const missing = await d.cli(['network', 'inspect', b, `nw-none-${tag}`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, new RegExp(`No such network: nw-none-${tag}`));
  assert.equal(JSON.parse(missing.stdout).length, 1, 'the one that is there is still printed');
  await ok(['rm', '-f', id]);
  await ok(['network', 'rm', a, b]);
  // rm -f: a network that is not there is no error
  assert.equal((await d.cli(['network', 'rm', '-f', a])).code, 0);
  assert.notEqual((await d.cli(['network', 'rm', a])).code, 0);
});

test('network prune: Docker\'s prompt (a terminal, -f), only unused user networks go, --filter label=/label!=/until=', async () => {
  const used = `nw-pu-${tag}`;
  const labelled = `nw-pl-${tag}`;
  const plain = `nw-pp-${tag}`;
  for (const [n, extra] of [[used, []], [labelled, ['--label', 'gone=yes']], [plain, []]] as [string, string[]][]) await create(['--subnet', freeTestSubnet(), ...extra, n]);
  const id = await run(['-d', '--network', used, IMAGE, 'sleep', '120']);
  const exists = async (n: string) => (await ok(['network', 'ls', '--format', '{{.Name}}'])).split('\n').includes(n);

  // no terminal to ask at, no -f: refused, nothing removed
  const noTty = await d.cli(['network', 'prune']);
  assert.notEqual(noTty.code, 0);
  assert.match(noTty.stderr, /give -f/);
  assert.ok(await exists(labelled));

  // created in the last hour: none is older than 1h
  assert.equal(await ok(['network', 'prune', '-f', '--filter', 'until=1h']), '');
  assert.equal(await ok(['network', 'prune', '-f', '--filter', 'label!=gone', '--filter', 'label=nothing']), '');
  assert.equal(await ok(['network', 'prune', '-f', '--filter', 'label=gone=yes']), `Deleted Networks:\n${labelled}\n`);
  assert.ok(!(await exists(labelled)) && await exists(plain));

  // the question, at a terminal: "n" keeps them, "y" removes the unused one
  const tmux = new PrivateTmux(d.dir);
  try {
    const ask = async (answer: string): Promise<string> => {
      const session = `nw-prune-${answer}-${tag}`;
      const exitFile = path.join(d.dir, `${session}-exit`);
      tmux.run('new-session', '-d', '-s', session, '-x', '120', '-y', '30', `node ${path.join(REPO, 'bin', 'nscope')} --socket ${d.socket} network prune; echo "exit=$?" > ${exitFile}; sleep 30`);
      const screen = () => tmux.run('capture-pane', '-p', '-t', session);
      await waitFor(() => /Are you sure you want to continue\? \[y\/N\]/.test(screen()), 15000, `the question in\n${screen()}`);
      assert.match(screen(), /WARNING! This will remove all custom networks not used by at least one container\./);
      tmux.run('send-keys', '-t', session, answer, 'Enter');
      await waitFor(() => fs.existsSync(exitFile) && fs.readFileSync(exitFile, 'utf8').includes('exit='), 15000, `the end in\n${screen()}`);
      assert.equal(fs.readFileSync(exitFile, 'utf8').trim(), 'exit=0');
      const out = screen();
      tmux.run('kill-session', '-t', session);
      return out;
    };
    assert.doesNotMatch(await ask('n'), /Deleted Networks/);
    assert.ok(await exists(plain));
    assert.match(await ask('y'), new RegExp(`Deleted Networks:\\n${plain}\\n`));
  } finally { tmux.close(); }
  assert.ok(!(await exists(plain)), 'the unused one went');
  assert.ok(await exists(used) && await exists('nscope'), 'the used one and the default stay');
  for (const n of [labelled, plain]) assert.deepEqual(leftovers(n), []);
  await ok(['rm', '-f', id]);
  assert.equal(await ok(['network', 'prune', '-f']), `Deleted Networks:\n${used}\n`);
});

test('network connect: --driver-opt and --gw-priority accepted; --link, --ip6, --link-local-ip refused by name', async () => {
  const name = `nw-con-${tag}`;
  await create(['--subnet', freeTestSubnet(), name]);
  const id = await run(['-d', IMAGE, 'sleep', '120']);
  for (const [args, msg] of [
    [['--link', 'db:db'], /legacy links are not supported; use a user-defined network, where names resolve/],
    [['--ip6', '2001:db8::33'], /--ip6: nscope networks are IPv4 only/],
    [['--link-local-ip', '169.254.1.1'], /--link-local-ip: not supported/],
    [['--gw-priority', 'high'], /--gw-priority: "high" is not an integer/],
  ] as [string[], RegExp][]) {
    const r = await d.cli(['network', 'connect', ...args, name, id]);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, msg);
  }
  assert.doesNotMatch(await execOut(id, ['cat', '/proc/net/dev']), /eth1:/, 'nothing connected by the refused ones');
  await ok(['network', 'connect', '--driver-opt', 'com.docker.network.endpoint.sysctls=x', '--gw-priority', '-5', name, id]);
  assert.match(await execOut(id, ['cat', '/proc/net/dev']), /eth1:/);
  await ok(['network', 'disconnect', '-f', name, id]);
  await ok(['rm', '-f', id]);
  await ok(['network', 'rm', name]);
});

test('network create refuses what it cannot do or is wrong, by name, leaving no file, bridge or rule', async () => {
  const subnet = freeTestSubnet();
  const p = prefix3(subnet);
  const name = `nw-bad-${tag}`;
  const bridge = `nw-x${tag}`;
  for (const [args, msg] of [
    [['-d', 'overlay'], /plugin "overlay" not found/],
    [['--ipv6'], /IPv4 only/],
    [['--ipv4=false'], /--ipv4=false/],
    [['--scope', 'swarm'], /swarm networks are not supported/],
    [['--ingress'], /--ingress: swarm/],
    [['--config-only'], /--config-only: swarm/],
    [['--config-from', 'other'], /--config-from: swarm/],
    [['--ipam-driver', 'dhcp'], /--ipam-driver: "dhcp" is not supported/],
    [['--ipam-opt', 'a=b'], /--ipam-opt a=b: the default IPAM driver takes no options/],
    [['--subnet', subnet, '--subnet', freeTestSubnet()], /one IPv4 subnet/],
    [['--ip-range', `${p}.0/28`], /every ip-range must have a corresponding subnet/],
    [['--subnet', subnet, '--ip-range', '192.0.2.0/28'], /--ip-range: 192\.0\.2\.0\/28 is not inside the subnet/],
    [['--subnet', subnet, '--ip-range', `${p}.1/28`], /host bits set/],
    [['--subnet', subnet, '--ip-range', `${p}.1/32`], /no address left for containers/],
    [['--subnet', subnet, '--aux-address', 'r=192.0.2.1'], /--aux-address r=192\.0\.2\.1: not a host address of the subnet/],
    [['--subnet', subnet, '--aux-address', `r=${p}.1`], /that is the gateway's address/],
    [['--subnet', subnet, '--aux-address', 'noaddress'], /is not NAME=IP/],
    [['--subnet', subnet, '-o', 'com.docker.network.driver.mtu=67'], /not an MTU \(68 to 65535\)/],
    [['--subnet', subnet, '-o', 'com.docker.network.driver.mtu=65536'], /not an MTU/],
    [['--subnet', subnet, '-o', 'com.docker.network.driver.mtu=big'], /not an MTU/],
    [['--subnet', subnet, '-o', 'com.docker.network.bridge.name=bad/name'], /not a valid interface name/],
    [['--subnet', subnet, '-o', 'com.docker.network.bridge.name=a-name-far-too-long'], /not a valid interface name/],
    [['--subnet', subnet, '-o', 'com.docker.network.bridge.name=lo'], /the host already has an interface named lo/],
    [['--subnet', subnet, '-o', `com.docker.network.bridge.name=${d.bridge}`], /that is (network nscope's|the default network's) bridge/],
    [['--subnet', subnet, '-o', 'com.docker.network.bridge.enable_icc=maybe'], /not a boolean/],
    [['--subnet', subnet, '-o', 'com.docker.network.bridge.host_binding_ipv4=127.0.0.1'], /host_binding_ipv4: not supported by nscope's bridge networks/],
    [['--subnet', subnet, '-o', 'com.example.unknown=1'], /com\.example\.unknown: unknown option of the bridge driver/],
    // a good bridge name with a bad value beside it: the name is not taken either
    [['--subnet', subnet, '-o', `com.docker.network.bridge.name=${bridge}`, '-o', 'com.docker.network.driver.mtu=1'], /not an MTU/],
  ] as [string[], RegExp][]) {
    const r = await d.cli(['network', 'create', ...args, name]);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, msg, args.join(' '));
    assert.deepEqual(leftovers(name, bridge), [], args.join(' '));
  }
  // a caller other than the CLI: every field's type checked by the helper
  for (const [params, msg] of [
    [{ internal: 'yes' }, /--internal: must be true or false/],
    [{ attachable: 1 }, /--attachable: must be true or false/],
    [{ options: { 'com.docker.network.driver.mtu': 1400 } }, /the value must be a string/],
    [{ options: ['x'] }, /must be a map/],
    [{ subnet, auxAddresses: null }, /must be a map/],
    [{ subnet, auxAddresses: { r: 5 } }, /is not an IPv4 address/],
    [{ subnet, ipRange: 7 }, /--ip-range: must be a non-empty string/],
    [{ labels: null }, /labels: must be a map/],
    [{ driver: 'macvlan' }, /plugin "macvlan" not found/],
  ] as [Record<string, unknown>, RegExp][]) {
    await assert.rejects(c.request('network.create', { name, ...params } as never), msg, JSON.stringify(params));
    assert.deepEqual(leftovers(name, bridge), [], JSON.stringify(params));
  }
  // the name is still free: the same network made right
  await create(['--subnet', subnet, '-o', `com.docker.network.bridge.name=${bridge}`, name]);
  await ok(['network', 'rm', name]);
  assert.deepEqual(leftovers(name, bridge), []);
});
