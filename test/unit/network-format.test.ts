// What the network and volume nodes show (extension/network-format.ts): a
// published port as a row, the URL "Open in Browser" opens and the address
// "Copy Address" copies, a mount as a row, /proc/PID/net/dev read, and what
// Create Network… / Create Volume… accept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkSummary, VolumeSummary } from '../../helper/protocol/types';
import {
  checkNetworkName, checkSubnet, checkVolumeName, mountLabel, networkDescription, parseNetDev, portAddress, portLabel, portUrl, trafficDescription, volumeDescription,
} from '../../extension/network-format';

test('a port on one host address opens that address; one on every address opens localhost', () => {
  const lo = { hostIp: '127.0.0.1', hostPort: 18080, containerPort: 80, protocol: 'tcp' as const };
  assert.equal(portUrl(lo), 'http://127.0.0.1:18080/');
  assert.equal(portAddress(lo), '127.0.0.1:18080');
  assert.equal(portLabel(lo), '127.0.0.1:18080 → 80/tcp');
  for (const hostIp of [undefined, '', '0.0.0.0', '::']) {
    const any = { hostIp, hostPort: 8080, containerPort: 8080, protocol: 'tcp' as const };
    assert.equal(portUrl(any), 'http://localhost:8080/', String(hostIp));
    assert.equal(portLabel(any), '*:8080 → 8080/tcp');
  }
});

test('an IPv6 host address is bracketed in the URL and the address', () => {
  const p = { hostIp: '::1', hostPort: 9000, containerPort: 90, protocol: 'udp' as const };
  assert.equal(portUrl(p), 'http://[::1]:9000/');
  assert.equal(portAddress(p), '[::1]:9000');
  assert.equal(portLabel(p), '[::1]:9000 → 90/udp');
});

test('a mount reads "source → destination" with its type and a read-only marker', () => {
  assert.deepEqual(mountLabel({ type: 'volume', name: 'data', source: '/var/lib/nscope/volumes/data/_data', destination: '/data', readOnly: false }), { label: 'data → /data', description: 'volume' });
  assert.deepEqual(mountLabel({ type: 'bind', source: '/srv/www', destination: '/usr/share/www', readOnly: true }), { label: '/srv/www → /usr/share/www', description: 'bind · ro' });
  assert.deepEqual(mountLabel({ type: 'tmpfs', destination: '/run', readOnly: false }), { label: 'tmpfs → /run', description: 'tmpfs' });
});

test('a network\'s and a volume\'s description', () => {
  const net: NetworkSummary = { name: 'nscope', id: 'a'.repeat(64), driver: 'bridge', subnet: '10.88.0.0/16', gateway: '10.88.0.1', bridge: 'nscope0', created: '', isDefault: true, containers: ['x', 'y'] };
  assert.equal(networkDescription(net), '10.88.0.0/16 · nscope0 · 2 containers · default');
  assert.equal(networkDescription({ ...net, isDefault: false, containers: ['x'] }), '10.88.0.0/16 · nscope0 · 1 container');
  const vol: VolumeSummary = { name: 'data', driver: 'local', mountpoint: '/v/data', created: '', labels: {}, anonymous: false, users: ['web', 'db'], size: 12288 };
  assert.equal(volumeDescription(vol), '12 KiB · used by web, db');
  assert.equal(volumeDescription({ ...vol, users: [], size: undefined, anonymous: true }), 'unused · anonymous');
});

test('/proc/PID/net/dev: every interface with its byte and packet counters, a long name run into its numbers too', () => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:     140       2    0    0    0     0          0         0      140       2    0    0    0     0       0          0',
    '  eth0:    2048      20    0    0    0     0          0         0     1024      10    0    0    0     0       0          0',
    'veth0123456789a:12345 7 0 0 0 0 0 0 678 9 0 0 0 0 0 0',
    '',
  ].join('\n');
  const c = parseNetDev(text);
  assert.deepEqual(c.map((x) => x.name), ['lo', 'eth0', 'veth0123456789a']);
  assert.deepEqual(c[1], { name: 'eth0', rxBytes: 2048, rxPackets: 20, txBytes: 1024, txPackets: 10 });
  assert.deepEqual(c[2], { name: 'veth0123456789a', rxBytes: 12345, rxPackets: 7, txBytes: 678, txPackets: 9 });
  assert.equal(trafficDescription(c[1]), 'rx 2 KiB · tx 1 KiB');
  assert.deepEqual(parseNetDev(''), []);
});

test('Create Network… and Create Volume… accept names and subnets the helper takes, and say why not', () => {
  assert.equal(checkNetworkName('backend'), undefined);
  assert.equal(checkNetworkName('my_net.2-b'), undefined);
  for (const bad of ['', '-x', 'a b', 'x/y', 'a'.repeat(64)]) assert.match(checkNetworkName(bad) ?? '', /name like/, bad);
  assert.equal(checkVolumeName(''), undefined);
  assert.equal(checkVolumeName('data'), undefined);
  assert.match(checkVolumeName('../etc') ?? '', /name like/);
  assert.equal(checkSubnet(''), undefined);
  assert.equal(checkSubnet('10.89.0.0/24'), undefined);
  for (const bad of ['10.89.0.0', '10.89.0.0/33', '10.89.0.0/4', '300.1.1.1/24', 'fd00::/64']) assert.match(checkSubnet(bad) ?? '', /IPv4 subnet/, bad);
});
