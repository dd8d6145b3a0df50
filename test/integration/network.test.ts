// Networking with real namespaces, bridges and iptables (as root). Traffic
// goes only to 127.0.0.1 and the containers' own addresses; the default
// network has this daemon's own bridge and subnet (TestDaemon), the user
// networks here their own too, and everything is removed at the end.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { HelperClient } from '../../helper/protocol/client';
import { waitFor } from '../helpers/containers';
import { freeTestSubnet, TEST_PROGRAMS, TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
let c: HelperClient;
const tag = Math.random().toString(36).slice(2, 8);
/** a static busybox (httpd, wget, ip) beside the usual programs */
const IMAGE = 'nethost';
const SERVE = 'busybox mkdir -p /www; echo "hello from $(busybox hostname)" > /www/index.html; exec busybox httpd -f -p 80 -h /www';

before(async () => {
  d = new TestDaemon('net');
  await d.start();
  c = await d.client();
  await c.request('image.host', { name: IMAGE, programs: [...TEST_PROGRAMS, 'busybox'] });
});
after(async () => { assert.deepEqual(await d.cleanup(), []); });

async function run(args: string[]): Promise<string> {
  const r = await d.cli(['run', ...args]);
  assert.equal(r.code, 0, `run ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

const natRules = () => execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' });
const filterRules = () => execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' });
const ipamFile = (network: string, address: string) => path.join(d.root, 'networks', 'ipam', network, address.split('/')[0]);

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { timeout: 3000 }, (res) => { let b = ''; res.on('data', (x) => { b += x; }); res.on('end', () => resolve(b)); }).on('error', reject);
  });
}

async function getEventually(url: string): Promise<string> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    try { return await get(url); } catch (e) { last = e; await new Promise((r) => setTimeout(r, 50)); }
  }
  throw last;
}

/** An HTTP GET from inside a container (busybox nc: this busybox-static's wget crashes on its own). */
const fetchFrom = (id: string, host: string) => d.cli(['exec', id, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 2 ${host} 80`]);

/** A command's output inside a running container. */
async function execOut(id: string, cmd: string[]): Promise<string> {
  const r = await d.cli(['exec', id, ...cmd]);
  assert.equal(r.code, 0, `exec ${cmd.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('the default network: eth0 with an address of its subnet, lo up, /etc/hosts and resolv.conf written by the helper', async () => {
  const id = await run(['-d', '--name', `def-${tag}`, IMAGE, 'sleep', '60']);
  const info = await c.request('container.inspect', { id });
  assert.equal(info.networks?.length, 1);
  const n = info.networks![0];
  assert.equal(n.network, 'nscope');
  assert.equal(n.ifname, 'eth0');
  assert.equal(n.bridge, d.bridge);
  assert.ok(n.address.startsWith(d.subnet.split('.').slice(0, 3).join('.') + '.'), `${n.address} in ${d.subnet}`);
  assert.ok(n.hostVeth && fs.existsSync(`/sys/class/net/${n.hostVeth}`), 'the host side of the veth');
  const addrs = await execOut(id, ['busybox', 'ip', '-o', 'addr']);
  assert.match(addrs, /lo\s+inet 127\.0\.0\.1/);
  assert.ok(addrs.includes(`eth0    inet ${n.address}`) || addrs.includes(`eth0 inet ${n.address}`) || addrs.includes(n.address), addrs);
  const hosts = await execOut(id, ['cat', '/etc/hosts']);
  assert.match(hosts, /^127\.0\.0\.1\tlocalhost/m);
  assert.ok(hosts.includes(`${n.address.split('/')[0]}\t${id.slice(0, 12)}`), hosts);
  const resolv = await execOut(id, ['cat', '/etc/resolv.conf']);
  assert.doesNotMatch(resolv, /^nameserver\s+127\./m, 'no loopback resolver: unreachable from the container');
  assert.match(resolv, /^nameserver /m);
  await d.cli(['rm', '-f', id]);
});

test('two containers on a user network reach each other by address and by name; rm leaves no veth, rule or address', async () => {
  const netName = `nt-${tag}`;
  const subnet = freeTestSubnet();
  const r = await d.cli(['network', 'create', '--subnet', subnet, netName]);
  assert.equal(r.code, 0, r.stderr);
  const srv = await run(['-d', '--network', netName, '--name', `srv-${tag}`, '--network-alias', `web-${tag}`, IMAGE, 'sh', '-c', SERVE]);
  const srvInfo = await c.request('container.inspect', { id: srv });
  const addr = srvInfo.networks![0].address.split('/')[0];
  assert.ok(fs.existsSync(ipamFile(netName, addr)), 'host-local keeps the allocation under the root');
  const cli = await run(['-d', '--network', netName, '--name', `cli-${tag}`, IMAGE, 'sleep', '60']);
  await waitFor(async () => /hello from/.test((await fetchFrom(cli, addr)).stdout), 10000, 'the server');
  assert.match((await fetchFrom(cli, `srv-${tag}`)).stdout, /hello from/, 'by name');
  assert.match((await fetchFrom(cli, `web-${tag}`)).stdout, /hello from/, 'by alias');
  // Docker's DNS answers NAME.NETWORK too (names and aliases); not another network's suffix
  assert.match((await fetchFrom(cli, `srv-${tag}.${netName}`)).stdout, /hello from/, 'by name.network');
  assert.match((await fetchFrom(cli, `web-${tag}.${netName}`)).stdout, /hello from/, 'by alias.network');
  assert.doesNotMatch(await execOut(cli, ['cat', '/etc/hosts']), new RegExp(`srv-${tag}\\.nscope\\b`));
  // the server learnt of the client too (its /etc/hosts kept current)
  assert.match(await execOut(srv, ['cat', '/etc/hosts']), new RegExp(`\\scli-${tag}\\b`));

  // in use: rm refused, naming the container
  const refused = await d.cli(['network', 'rm', netName]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, new RegExp(`srv-${tag}`));

  // Docker's document, nscope's own under Nscope
  const inspected = JSON.parse((await d.cli(['network', 'inspect', netName])).stdout)[0];
  assert.equal(inspected.IPAM.Config[0].Subnet, subnet);
  assert.equal(Object.keys(inspected.Containers).length, 2);
  assert.equal(inspected.Nscope.endpoints.length, 2);

  const veth = srvInfo.networks![0].hostVeth!;
  assert.ok(fs.existsSync(`/sys/class/net/${veth}`));
  assert.match(natRules(), new RegExp(`-A POSTROUTING -s ${subnet.replace(/[./]/g, '\\$&')} ! -o ${inspected.Nscope.bridge} .*nscope network ${netName}.* -j MASQUERADE`), "the network's masquerade rule");
  assert.equal((await d.cli(['rm', '-f', srv])).code, 0);
  assert.ok(!fs.existsSync(`/sys/class/net/${veth}`), 'veth gone');
  assert.ok(!natRules().includes(srv), 'no NAT rule names it');
  assert.ok(!filterRules().includes(srv), 'no filter rule names it');
  assert.ok(!fs.existsSync(ipamFile(netName, addr)), 'address released');
  assert.ok(!fs.existsSync(`/run/netns/nscope-${srv.slice(0, 12)}`), 'netns unpinned');
  // the client's /etc/hosts forgot it
  assert.doesNotMatch(await execOut(cli, ['cat', '/etc/hosts']), new RegExp(`srv-${tag}`));
  assert.equal((await d.cli(['rm', '-f', cli])).code, 0);
  const bridge = inspected.Nscope.bridge as string;
  assert.equal((await d.cli(['network', 'rm', netName])).code, 0);
  assert.ok(!fs.existsSync(`/sys/class/net/${bridge}`), 'the network\'s bridge goes with it');
  assert.ok(!natRules().includes(`! -o ${bridge} `), 'and its masquerade rule');
  assert.ok(!fs.existsSync(path.join(d.root, 'networks', `${netName}.conflist`)));
});

test('-p 127.0.0.1:PORT:80 is answered from the host; nscope port lists it; a taken port fails cleanly', async () => {
  const port = await freePort();
  const id = await run(['-d', '--name', `pub-${tag}`, '-p', `127.0.0.1:${port}:80`, IMAGE, 'sh', '-c', SERVE]);
  assert.match(await getEventually(`http://127.0.0.1:${port}/`), /hello from/);
  assert.equal((await d.cli(['port', id])).stdout, `80/tcp -> 127.0.0.1:${port}\n`);
  assert.equal((await d.cli(['port', id, '80'])).stdout, `127.0.0.1:${port}\n`);
  const info = await c.request('container.inspect', { id });
  assert.deepEqual(info.ports, [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, protocol: 'tcp' }]);
  // its kernel source: the DNAT rule portmap set, to the container's address and port
  const rules = await c.request('kernel.read', { path: `/netfilter/nat/${id}` });
  assert.equal(rules.kind, 'netfilter');
  const text = Buffer.from(rules.data, 'base64').toString();
  const addr = info.networks![0].address.replace(/\/\d+$/, '');
  assert.match(text, new RegExp(`--dport ${port} .*-j DNAT --to-destination ${addr.replace(/\./g, '\\.')}:80`));
  await assert.rejects(c.request('kernel.read', { path: `/netfilter/nat/${'0'.repeat(64)}` }), /no such container/);

  // the same port again: Docker's words, exit 125, nothing of the second container left on the network
  const again = await d.cli(['run', '-d', '--name', `pub2-${tag}`, '-p', `127.0.0.1:${port}:80`, IMAGE, 'sleep', '60']);
  assert.equal(again.code, 125, again.stderr);
  assert.match(again.stderr, /port is already allocated/);
  const second = (await c.request('container.list', { all: true })).find((x) => x.name === `pub2-${tag}`)!;
  assert.equal(second.status, 'created');
  assert.ok(!natRules().includes(second.id));
  assert.ok(!fs.existsSync(`/run/netns/nscope-${second.id.slice(0, 12)}`));
  // the first still answers
  assert.match(await get(`http://127.0.0.1:${port}/`), /hello from/);

  // a port a host program holds
  const holder = net.createServer();
  const held = await new Promise<number>((res) => holder.listen(0, '127.0.0.1', () => res((holder.address() as net.AddressInfo).port)));
  try {
    const r = await d.cli(['run', '--rm', '-p', `127.0.0.1:${held}:80`, IMAGE, 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`Bind for 127\\.0\\.0\\.1:${held} failed: port is already allocated`));
  } finally { holder.close(); }
  // --rm: gone, as Docker's daemon removes an auto-removed container whose start failed
  await waitFor(async () => (await c.request('container.list', { all: true })).length === 2, 5000, 'the --rm container to go');

  await d.cli(['rm', '-f', id, second.id]);
  assert.ok(!natRules().includes(id), 'its DNAT rules are gone');
  await assert.rejects(get(`http://127.0.0.1:${port}/`));
});

test('-p ranges, as Docker takes them: a container range port by port, one port over a host range gets its first free port, bad pairs refused', async () => {
  const base = await freePort();
  // two ports of a container range, each answered
  const two = await run(['-d', '-p', `127.0.0.1:${base}-${base + 1}:80-81`, IMAGE, 'sh', '-c', `${SERVE.replace('exec busybox httpd -f -p 80', 'busybox httpd -p 81 -h /www; exec busybox httpd -f -p 80')}`]);
  assert.deepEqual((await c.request('container.port', { id: two })).map((p) => [p.hostPort, p.containerPort]).sort(), [[base, 80], [base + 1, 81]]);
  assert.match(await getEventually(`http://127.0.0.1:${base}/`), /hello from/);
  assert.match(await getEventually(`http://127.0.0.1:${base + 1}/`), /hello from/);
  // one container port over a host range: the range's first port is taken (by `two`), so the next free one
  const one = await run(['-d', '-p', `127.0.0.1:${base}-${base + 3}:80`, IMAGE, 'sh', '-c', SERVE]);
  const [picked] = await c.request('container.port', { id: one });
  assert.equal(picked.hostPort, base + 2);
  assert.match(await getEventually(`http://127.0.0.1:${base + 2}/`), /hello from/);
  // the whole range taken: Docker's words, nothing published
  const full = await d.cli(['run', '-d', '-p', `127.0.0.1:${base}-${base + 1}:80`, IMAGE, 'sleep', '60']);
  assert.equal(full.code, 125, full.stderr);
  assert.match(full.stderr, new RegExp(`Bind for 127\\.0\\.0\\.1:${base}-${base + 1} failed: all ports are allocated`));
  for (const [spec, why] of [[`${base}-${base + 2}:80-81`, /invalid ranges specified for container and host ports/], ['81-80', /its end is below its start/], ['1-2000', /more than 1024 ports in one range/]] as const) {
    const r = await d.cli(['create', '-p', spec, IMAGE, 'true']);
    assert.notEqual(r.code, 0, spec);
    assert.match(r.stderr, why);
  }
  await d.cli(['rm', '-f', two, one]);
  const failed = (await c.request('container.list', { all: true })).filter((x) => x.status === 'created').map((x) => x.id);
  if (failed.length) await d.cli(['rm', ...failed]);
});

test('port and ps list the published ports as Docker\'s CLI does: by container port, whatever order -p gave them in', async () => {
  const id = await run(['-d', '-p', '127.0.0.1::7000', '-p', '127.0.0.1::80', '-p', '127.0.0.1::53/udp', '-p', '127.0.0.1::53', IMAGE, 'sleep', '60']);
  const lines = (await d.cli(['port', id])).stdout.trim().split('\n');
  assert.deepEqual(lines.map((l) => l.split(' ')[0]), ['53/tcp', '53/udp', '80/tcp', '7000/tcp']);
  const ps = (await d.cli(['ps', '--no-trunc', '--filter', `id=${id}`, '--format', '{{.Ports}}'])).stdout.trim();
  assert.deepEqual(ps.split(', ').map((x) => x.split('->')[1]), ['53/tcp', '53/udp', '80/tcp', '7000/tcp']);
  await d.cli(['rm', '-f', id]);
});

test('-P publishes the image\'s EXPOSE ports on free host ports', async () => {
  const base = await run(['-d', IMAGE, 'sleep', '60']);
  await c.request('container.commit', { id: base, name: `exposing-${tag}`, changes: ['EXPOSE 80/tcp'] });
  await d.cli(['rm', '-f', base]);
  const id = await run(['-d', '-P', `exposing-${tag}`, 'sh', '-c', SERVE]);
  const ports = await c.request('container.port', { id });
  assert.equal(ports.length, 1);
  assert.equal(ports[0].containerPort, 80);
  assert.ok(ports[0].hostPort > 0);
  assert.match(await getEventually(`http://127.0.0.1:${ports[0].hostPort}/`), /hello from/);
  await d.cli(['rm', '-f', id]);
  await c.request('image.remove', { ref: `exposing-${tag}` });
});

test('--network none has only lo; --network container:ID shares the other\'s netns', async () => {
  const none = await d.cli(['run', '--rm', '--network', 'none', IMAGE, 'cat', '/proc/net/dev']);
  assert.equal(none.code, 0, none.stderr);
  assert.deepEqual(none.stdout.split('\n').slice(2).filter(Boolean).map((l) => l.split(':')[0].trim()), ['lo']);

  const a = await run(['-d', IMAGE, 'sleep', '60']);
  const b = await run(['-d', '--network', `container:${a}`, IMAGE, 'sleep', '60']);
  const [pa, pb] = await Promise.all([a, b].map(async (id) => (await c.request('container.inspect', { id })).pid!));
  assert.equal(fs.readlinkSync(`/proc/${pb}/ns/net`), fs.readlinkSync(`/proc/${pa}/ns/net`));
  assert.deepEqual((await c.request('container.inspect', { id: b })).networks, []);
  const bad = await d.cli(['run', '--rm', '--network', `container:${a}`, '-p', '8080:80', IMAGE, 'true']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /conflicting options: port publishing/);
  await d.cli(['rm', '-f', b, a]);
});

test('network connect and disconnect a running container: eth1 comes and goes', async () => {
  const netName = `nc-${tag}`;
  assert.equal((await d.cli(['network', 'create', '--subnet', freeTestSubnet(), netName])).code, 0);
  const id = await run(['-d', IMAGE, 'sleep', '60']);
  const events: string[] = [];
  const ec = await d.client();
  await ec.onEvent((ev) => { if (ev.type.startsWith('network.')) events.push(`${ev.type} ${ev.name}`); });
  assert.equal((await d.cli(['network', 'connect', netName, id])).code, 0);
  assert.match(await execOut(id, ['cat', '/proc/net/dev']), /eth1:/);
  const att = (await c.request('container.inspect', { id })).networks!.find((n) => n.network === netName)!;
  assert.equal(att.ifname, 'eth1');
  assert.equal((await d.cli(['network', 'disconnect', netName, id])).code, 0);
  assert.doesNotMatch(await execOut(id, ['cat', '/proc/net/dev']), /eth1:/);
  assert.ok(!fs.existsSync(ipamFile(netName, att.address)));
  await d.cli(['rm', '-f', id]);
  assert.equal((await d.cli(['network', 'rm', netName])).code, 0);
  assert.ok(events.includes(`network.connected ${netName}`), events.join(', '));
});

test('a container that exits while the helper is down (kill -9) has its network cleaned by the restarted helper', async () => {
  const port = await freePort();
  const id = await run(['-d', '-p', `127.0.0.1:${port}:80`, IMAGE, 'sh', '-c', SERVE]);
  const info = await c.request('container.inspect', { id });
  const addr = info.networks![0].address;
  assert.ok(natRules().includes(id));
  d.kill9();
  await d.waitExit();
  process.kill(info.pid!, 'SIGKILL');
  await waitFor(() => { try { process.kill(info.pid!, 0); return false; } catch { return true; } }, 5000, 'the init to die');
  // the pinned netns keeps what DEL needs until the helper is back
  assert.ok(natRules().includes(id));
  await d.start();
  c = await d.client();
  await waitFor(() => !natRules().includes(id) && !fs.existsSync(`/run/netns/nscope-${id.slice(0, 12)}`) && !fs.existsSync(ipamFile('nscope', addr)), 10000, 'the network clean-up');
  assert.ok(!filterRules().includes(id));
  assert.equal((await c.request('container.inspect', { id })).status, 'exited');
  await d.cli(['rm', id]);
});

test('--ip and --mac-address on a user network: the address asked for, kept over a restart, a taken or bad one refused; network connect --ip', async () => {
  const netName = `fx-${tag}`;
  const subnet = freeTestSubnet();
  assert.equal((await d.cli(['network', 'create', '--subnet', subnet, netName])).code, 0);
  const base = subnet.split('/')[0].split('.').slice(0, 3).join('.');
  const ip = `${base}.77`;
  const id = await run(['-d', '--network', netName, '--ip', ip, '--mac-address', '02:42:0a:00:00:77', IMAGE, 'sh', '-c', SERVE]);
  const shown = () => execOut(id, ['busybox', 'ip', '-o', 'addr', 'show', 'eth0']);
  assert.match(await shown(), new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`));
  assert.match(await execOut(id, ['cat', '/sys/class/net/eth0/address']), /^02:42:0a:00:00:77$/m);
  const nets = JSON.parse((await d.cli(['inspect', '-f', '{{json .NetworkSettings.Networks}}', id])).stdout)[netName];
  assert.deepEqual(nets.IPAMConfig, { IPv4Address: ip });
  assert.equal(nets.IPAddress, ip);
  assert.equal(nets.MacAddress, '02:42:0a:00:00:77');
  // reached from the host at that address
  assert.match(await getEventually(`http://${ip}/`), /hello from/);
  // the same address after a restart
  assert.equal((await d.cli(['restart', '-t', '0', id])).code, 0);
  assert.match(await shown(), new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`));

  const refusedRun = async (args: string[], msg: RegExp) => {
    const r = await d.cli(['run', '--rm', ...args, IMAGE, 'true']);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, msg);
  };
  await refusedRun(['--network', netName, '--ip', ip], /--ip: .* is in use on network .*: Address already in use/);
  await refusedRun(['--ip', `${base}.78`], /user specified IP address is supported on user defined networks only/);
  await refusedRun(['--network', netName, '--ip', '192.0.2.1'], /Invalid address 192\.0\.2\.1: It does not belong to any of this network's subnets/);
  await refusedRun(['--network', netName, '--ip', 'not-an-ip'], /--ip: "not-an-ip" is not an IPv4 address/);
  await refusedRun(['--network', netName, '--mac-address', '01:00:5e:00:00:01'], /multicast/);
  await refusedRun(['--network', netName, '--mac-address', 'zz'], /zz is not a valid mac address/);
  await refusedRun(['--network', 'none', '--ip', ip], /--ip: the container has no network/);

  // connect --ip: a second network's address of the user's choosing
  const other = `fy-${tag}`;
  const subnet2 = freeTestSubnet();
  assert.equal((await d.cli(['network', 'create', '--subnet', subnet2, other])).code, 0);
  const ip2 = `${subnet2.split('/')[0].split('.').slice(0, 3).join('.')}.9`;
  const con = await d.cli(['network', 'connect', '--ip', ip2, other, id]);
  assert.equal(con.code, 0, con.stderr);
  assert.match(await execOut(id, ['busybox', 'ip', '-o', 'addr', 'show', 'eth1']), new RegExp(`inet ${ip2.replace(/\./g, '\\.')}/`));
  await d.cli(['rm', '-f', id]);
  assert.ok(!fs.existsSync(ipamFile(netName, ip)), 'the address is free again');
  for (const n of [netName, other]) assert.equal((await d.cli(['network', 'rm', n])).code, 0);
});

test('network create checks what it is given', async () => {
  for (const [args, msg] of [
    [['--subnet', '10.0.0.1/16', 'x1'], /host bits set/],
    [['--subnet', '300.0.0.0/16', 'x2'], /not an IPv4 address/],
    [['--subnet', '10.240.0.0/24', '--gateway', '10.241.0.1', 'x3'], /not a host address/],
    // Docker's rule for a gateway with no subnet, not a check against a subnet picked later
    [['--gateway', '10.241.0.1', 'x3b'], /every gateway must have a corresponding subnet/],
    [['--subnet', d.subnet, 'x4'], /overlaps/],
    // a bridge must never take a loopback or "this host" address
    [['--subnet', '127.0.0.0/24', 'x5'], /overlaps 127\.0\.0\.0\/8 \(loopback\)/],
    [['--subnet', '0.0.0.0/8', 'x6'], /overlaps 0\.0\.0\.0\/8/],
    [['--subnet', '169.254.0.0/16', 'x7'], /link-local/],
    [['--subnet', '224.1.0.0/16', 'x8'], /multicast/],
    [['bad/name'], /invalid/],
    [['host'], /reserved/],
  ] as [string[], RegExp][]) {
    const r = await d.cli(['network', 'create', ...args]);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.match(r.stderr, msg);
  }
  const rm = await d.cli(['network', 'rm', 'nscope']);
  assert.match(rm.stderr, /pre-defined network/);
  // Docker's three pre-defined names, refused in its words under the name the user typed
  for (const n of ['bridge', 'host', 'none']) {
    const r = await d.cli(['network', 'rm', n]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^nscope: ${n} is a pre-defined network and cannot be removed\n`));
  }
});
