// Networking from the CLI where nscope differed from `docker` (20.10 and
// later, run side by side): a peer's --hostname resolving on a user-defined
// network (Docker's DNS answers it) and inspect's DNSNames in Docker's
// order; `network connect/disconnect` of a container that is not running
// (Docker records it, the next start attaches it: compose creates, connects,
// then starts); a stopped container's NetworkSettings.Networks (Docker keeps
// listing them, with no address) and `ps -a --filter network=`/{{.Networks}};
// `run --link` refused by name. Real
// bridges and containers; every network has a subnet of its own
// (freeTestSubnet), traffic only between the containers made here.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freeTestSubnet, startWithImage, TEST_PROGRAMS, type TestDaemon } from '../helpers/daemon';

let d: TestDaemon;
const tag = Math.random().toString(36).slice(2, 8);
const IMAGE = 'nwparity2';

before(async () => { d = await startWithImage('nwparity2', { image: IMAGE, programs: [...TEST_PROGRAMS, 'busybox'] }); });
after(async () => { assert.deepEqual(await d.cleanup(), []); });

const ok = (args: string[]) => d.ok(args);
const run = async (args: string[]) => (await ok(['run', ...args])).trim();
const networksOf = async (id: string) => JSON.parse(await ok(['inspect', '-f', '{{json .NetworkSettings.Networks}}', id]));

async function addrOf(id: string, ifname: string): Promise<string> {
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(await ok(['exec', id, 'busybox', 'ip', '-o', '-4', 'addr', 'show', ifname]));
  assert.ok(m, `no address on ${ifname}`);
  return m[1];
}

test("a peer's --hostname resolves on a user-defined network, and DNSNames lists name, aliases, short ID, host name (none on the default network)", async () => {
  const net = `hn-${tag}`;
  await ok(['network', 'create', '--subnet', freeTestSubnet(), net]);
  const web = await run(['-d', '--network', net, '--name', `web-${tag}`, '--network-alias', `www-${tag}`, '--hostname', `webhost-${tag}`, IMAGE, 'sleep', '1d']);
  const ip = await addrOf(web, 'eth0');
  // Docker: `ping webhost` from a peer reaches it (its DNS has the host name as an alias)
  const r = await d.cli(['run', '--rm', '--network', net, IMAGE, 'sh', '-c', `busybox ping -c1 -W2 webhost-${tag} && busybox ping -c1 -W2 webhost-${tag}.${net}`]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`PING webhost-${tag} \\(${ip.replace(/\./g, '\\.')}\\)`));
  const n = (await networksOf(web))[net];
  assert.deepEqual(n.DNSNames, [`web-${tag}`, `www-${tag}`, web.slice(0, 12), `webhost-${tag}`]);
  // a host name that is the default (the short ID) or the name itself is listed once
  const plain = await run(['-d', '--network', net, '--name', `plain-${tag}`, IMAGE, 'sleep', '1d']);
  assert.deepEqual((await networksOf(plain))[net].DNSNames, [`plain-${tag}`, plain.slice(0, 12)]);
  const dflt = await run(['-d', '--name', `dflt-${tag}`, IMAGE, 'sleep', '1d']);
  const nets = await networksOf(dflt);
  assert.equal(Object.keys(nets).length, 1);
  assert.equal(Object.values(nets as Record<string, { DNSNames: unknown }>)[0].DNSNames, null);
  await ok(['rm', '-f', web, plain, dflt]);
  await ok(['network', 'rm', net]);
});

test('network connect and disconnect of a container that is not running: recorded, attached at its next start, listed by inspect', async () => {
  const [a, b] = [`ca-${tag}`, `cb-${tag}`];
  const subnetB = freeTestSubnet();
  await ok(['network', 'create', '--subnet', freeTestSubnet(), a]);
  await ok(['network', 'create', '--subnet', subnetB, b]);
  const fixed = subnetB.replace(/\.0\/24$/, '.77');
  const id = (await ok(['create', '--name', `st-${tag}`, '--network', a, IMAGE, 'sleep', '1d'])).trim();
  await ok(['network', 'connect', '--alias', `stal-${tag}`, '--ip', fixed, b, id]);
  // connected twice, an alias on the default network: refused as for a running one, in Docker's words
  const twice = await d.cli(['network', 'connect', b, id]);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, new RegExp(`endpoint with name st-${tag} already exists in network ${b}`));
  // inspect before the start: both networks, configured, no address yet (as Docker shows them)
  const created = await networksOf(id);
  assert.deepEqual(Object.keys(created).sort(), [a, b].sort());
  assert.equal(created[b].IPAddress, '');
  assert.deepEqual(created[b].IPAMConfig, { IPv4Address: fixed });
  assert.deepEqual(created[b].Aliases, [`stal-${tag}`]);
  assert.match(created[b].NetworkID, /^[0-9a-f]{64}$/);
  await ok(['start', id]);
  assert.equal(await addrOf(id, 'eth1'), fixed);
  // a peer on b finds it by its alias
  const peer = await d.cli(['run', '--rm', '--network', b, IMAGE, 'sh', '-c', `busybox grep -w stal-${tag} /etc/hosts`]);
  assert.equal(peer.code, 0, peer.stderr);
  assert.match(peer.stdout, new RegExp(`^${fixed.replace(/\./g, '\\.')}\\s`));
  // stopped: still listed, no address; disconnected while stopped, the next start has eth0 only
  await ok(['stop', '-t', '0', id]);
  const stopped = await networksOf(id);
  assert.deepEqual(Object.keys(stopped).sort(), [a, b].sort());
  assert.equal(stopped[a].IPAddress, '');
  // ps -a --filter network= and {{.Networks}} see it too, as Docker's do
  const listed = (await ok(['ps', '-a', '--filter', `network=${b}`, '--format', '{{.Names}} {{.Networks}}'])).trim().split('\n');
  assert.equal(listed.length, 1, listed.join('\n'));
  assert.deepEqual(listed[0].split(' ')[0], `st-${tag}`);
  assert.deepEqual(listed[0].split(' ')[1].split(',').sort(), [a, b].sort());
  await ok(['network', 'disconnect', b, id]);
  const again = await d.cli(['network', 'disconnect', b, id]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, new RegExp(`container st-${tag} is not connected to network ${b}`));
  assert.deepEqual(Object.keys(await networksOf(id)), [a]);
  await ok(['start', id]);
  const links = await ok(['exec', id, 'busybox', 'ip', '-o', 'link']);
  assert.match(links, /\beth0\b/);
  assert.doesNotMatch(links, /\beth1\b/);
  await ok(['rm', '-f', id]);
  await ok(['network', 'rm', a, b]);
});

test('run --link is refused by name (exit 125, nothing created), as network connect --link is', async () => {
  const r = await d.cli(['run', '--rm', '--name', `lnk-${tag}`, '--link', 'other:o', IMAGE, 'true']);
  assert.equal(r.code, 125);
  assert.match(r.stderr, /--link: legacy links are not supported; use a user-defined network/);
  assert.doesNotMatch(r.stderr, /unknown flag/);
  assert.equal((await ok(['ps', '-aq', '--filter', `name=lnk-${tag}`])).trim(), '');
});
