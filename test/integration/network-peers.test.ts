// Who a container reaches and by what name, as Docker has it (as root, real
// bridges and iptables): two user networks isolated from each other (and from
// the default one) while the host, a network's gateway, published ports and a
// container on both still get through; `--network container:NAME` sharing the
// other's /etc/hosts, resolv.conf and host name; --domainname on the
// container's own /etc/hosts line. Every network has a subnet of its own
// (freeTestSubnet); traffic goes only to the containers and bridges made here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/containers';
import { freeTestSubnet, startWithImage, TEST_PROGRAMS, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
const tag = Math.random().toString(36).slice(2, 8);
const IMAGE = 'peers';
const SERVE = 'busybox mkdir -p /www; echo "hello from $(busybox hostname)" > /www/index.html; exec busybox httpd -f -p 80 -h /www';

before(async () => { d = await startWithImage('peers', { image: IMAGE, programs: [...TEST_PROGRAMS, 'busybox'] }); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const ok = (args: string[]) => d.ok(args);
const run = async (args: string[]) => (await ok(['run', ...args])).trim();
const prefix3 = (subnet: string) => subnet.split('/')[0].split('.').slice(0, 3).join('.');
const rawRules = () => execFileSync('iptables-save', ['-t', 'raw'], { encoding: 'utf8' });

async function addrOf(id: string, ifname = 'eth0'): Promise<string> {
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(await ok(['exec', id, 'busybox', 'ip', '-o', '-4', 'addr', 'show', ifname]));
  assert.ok(m, `no address on ${ifname}`);
  return m[1];
}

/** A TCP connection from inside a container: what the other end said (empty when nothing answered). */
async function talk(id: string, host: string, port = 80): Promise<string> {
  return (await d.cli(['exec', id, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 2 ${host} ${port}`])).stdout;
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { timeout: 3000 }, (res) => { let b = ''; res.on('data', (x) => { b += x; }); res.on('end', () => resolve(b)); }).on('error', reject);
  });
}

test('two user networks are isolated from each other and from the default one; the host, gateways, published ports and a container on both get through', async () => {
  const [netA, netB] = [`pa-${tag}`, `pb-${tag}`];
  const [sA, sB] = [freeTestSubnet(), freeTestSubnet()];
  await ok(['network', 'create', '--subnet', sA, netA]);
  await ok(['network', 'create', '--subnet', sB, netB]);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const srvA = await run(['-d', '--network', netA, '--name', `srva-${tag}`, '-p', `${port}:80`, IMAGE, 'sh', '-c', SERVE]);
  const cliA = await run(['-d', '--network', netA, IMAGE, 'sleep', '120']);
  const cliB = await run(['-d', '--network', netB, IMAGE, 'sleep', '120']);
  const cliDef = await run(['-d', IMAGE, 'sleep', '120']);
  const addrA = await addrOf(srvA);
  await waitFor(async () => /hello from/.test(await talk(cliA, addrA)), 10000, 'the server from its own network');
  assert.match(await talk(cliA, `srva-${tag}`), /hello from/, 'by name on its network');

  assert.equal(await talk(cliB, addrA), '', 'another user network does not reach it');
  assert.equal(await talk(cliDef, addrA), '', 'nor does the default network');
  // what Docker lets through too: the host's addresses (a gateway is one), and so a port published there
  assert.match(await talk(cliB, `${prefix3(sB)}.1`, port), /hello from/, 'its published port at the host\'s address');
  assert.match(await ok(['exec', cliB, 'busybox', 'ping', '-c', '1', '-W', '2', `${prefix3(sA)}.1`]), /1 packets received/, 'the other network\'s gateway');
  assert.match(await get(`http://${addrA}/`), /hello from/, 'the host reaches it');
  assert.match(await get(`http://127.0.0.1:${port}/`), /hello from/);

  // a container on both networks reaches both; taken off A, it no longer does
  await ok(['network', 'connect', netA, cliB]);
  assert.match(await talk(cliB, addrA), /hello from/, 'connected to its network');
  await ok(['network', 'disconnect', netA, cliB]);
  assert.equal(await talk(cliB, addrA), '', 'disconnected again');

  const rules = rawRules();
  for (const n of [netA, netB, 'nscope']) assert.match(rules, new RegExp(`nscope network ${n} isolation`), `${n}'s isolation rule`);
  await ok(['rm', '-f', srvA, cliA, cliB, cliDef]);
  await ok(['network', 'rm', netA, netB]);
  const left = rawRules().split('\n').filter((l) => l.includes(`nscope network ${netA} `) || l.includes(`nscope network ${netB} `));
  assert.deepEqual(left, [], 'the networks\' rules go with them');
});

test('--network container:NAME sees the other\'s /etc/hosts, resolv.conf and host name (its peers resolve); --hostname with it refused as Docker does', async () => {
  const net = `pc-${tag}`;
  await ok(['network', 'create', '--subnet', freeTestSubnet(), net]);
  const app = await run(['-d', '--network', net, '--name', `app-${tag}`, '--hostname', 'app', '--domainname', 'example.test', '--dns-search', 'corp.test', IMAGE, 'sleep', '120']);
  const db = await run(['-d', '--network', net, '--name', `db-${tag}`, '--network-alias', `database-${tag}`, IMAGE, 'sleep', '120']);
  const side = await run(['-d', '--network', `container:app-${tag}`, IMAGE, 'sleep', '120']);
  const [appHosts, sideHosts] = await Promise.all([app, side].map((id) => ok(['exec', id, 'cat', '/etc/hosts'])));
  assert.equal(sideHosts, appHosts);
  assert.match(sideHosts, new RegExp(`\\sdatabase-${tag}(\\s|$)`, 'm'));
  assert.match(await ok(['exec', side, 'cat', '/etc/resolv.conf']), /^search corp\.test/m);
  assert.equal(await ok(['exec', side, 'hostname']), 'app\n');
  assert.equal(await ok(['exec', side, 'busybox', 'hostname', '-f']), 'app.example.test\n');
  // a peer that comes later is found from the side container too: the same file, rewritten in place
  const late = await run(['-d', '--network', net, '--name', `late-${tag}`, IMAGE, 'sleep', '120']);
  const lateAddr = await addrOf(late);
  assert.match(await ok(['exec', side, 'cat', '/etc/hosts']), new RegExp(`^${lateAddr.replace(/\./g, '\\.')}\\s+late-${tag}\\s`, 'm'));

  const refused = await d.cli(['run', '--rm', '--network', `container:app-${tag}`, '--hostname', 'x', IMAGE, 'true']);
  assert.equal(refused.code, 125);
  assert.match(refused.stderr, /conflicting options: hostname and the network mode/);
  await ok(['rm', '-f', side, late, db, app]);
  await ok(['network', 'rm', net]);
});

test('--domainname and a dotted --hostname: the container\'s own /etc/hosts line names the FQDN then the short name (hostname -f, dnsdomainname)', async () => {
  const out = await ok(['run', '--rm', '--hostname', 'web', '--domainname', 'example.test', IMAGE, 'sh', '-c', 'busybox tail -n 1 /etc/hosts; busybox hostname -f; busybox dnsdomainname']);
  assert.match(out, /^\d+\.\d+\.\d+\.\d+\tweb\.example\.test web\nweb\.example\.test\nexample\.test\n$/);
  const dotted = await ok(['run', '--rm', '--hostname', 'db.example.test', IMAGE, 'sh', '-c', 'busybox tail -n 1 /etc/hosts']);
  assert.match(dotted, /^\d+\.\d+\.\d+\.\d+\tdb\.example\.test db\n$/);
  const plain = await ok(['run', '--rm', '--hostname', 'plain', IMAGE, 'sh', '-c', 'busybox tail -n 1 /etc/hosts']);
  assert.match(plain, /^\d+\.\d+\.\d+\.\d+\tplain\n$/);
});

test('-p/-P with --network host are discarded with Docker\'s warning, with none silently (the container runs); with container:NAME refused', async () => {
  const host = await d.cli(['run', '--rm', '--network', 'host', '-p', '18600:80', IMAGE, 'echo', 'ran']);
  assert.equal(host.code, 0, host.stderr);
  assert.equal(host.stdout, 'ran\n');
  assert.equal(host.stderr, 'WARNING: Published ports are discarded when using host network mode\n');
  const none = await d.cli(['run', '--rm', '--network', 'none', '-P', '--expose', '80', '-p', '18600:80', IMAGE, 'echo', 'ran']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, 'ran\n');
  const target = await run(['-d', IMAGE, 'sleep', '60']);
  const joined = await d.cli(['run', '--rm', '--network', `container:${target}`, '-p', '18600:80', IMAGE, 'true']);
  assert.equal(joined.code, 125);
  assert.match(joined.stderr, /conflicting options: port publishing and the container type network mode/);
  await ok(['rm', '-f', target]);
});
