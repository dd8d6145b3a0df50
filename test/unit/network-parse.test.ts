// The values a client sends for networks, checked before anything touches the host.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCidr, overlaps, parseCidr, parseIp } from '../../helper/network/cidr';
import { attachmentList } from '../../helper/network/conflist';
import { freeSubnet } from '../../helper/network/host-routes';
import { exposedMappings, parsePublish } from '../../helper/network/ports';

test('-p: Docker\'s forms, and what is refused', () => {
  assert.deepEqual(parsePublish('80'), [{ hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('8080:80'), [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('127.0.0.1:8080:80/udp'), [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }]);
  assert.deepEqual(parsePublish('127.0.0.1::80'), [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('0.0.0.0:1:2'), [{ hostPort: 1, containerPort: 2, protocol: 'tcp' }]);
  // ranges: port by port, picked ports for a container range alone, a host range's first free port for one container port
  assert.deepEqual(parsePublish('8000-8001:80-81/udp'), [{ hostPort: 8000, containerPort: 80, protocol: 'udp' }, { hostPort: 8001, containerPort: 81, protocol: 'udp' }]);
  assert.deepEqual(parsePublish('80-81'), [{ hostPort: 0, containerPort: 80, protocol: 'tcp' }, { hostPort: 0, containerPort: 81, protocol: 'tcp' }]);
  assert.deepEqual(parsePublish('127.0.0.1:8000-8010:80'), [{ hostIp: '127.0.0.1', hostPort: 8000, hostPortEnd: 8010, containerPort: 80, protocol: 'tcp' }]);
  for (const bad of ['', '0', '70000', '80/sctp', 'a:80', '1.2.3:80:80', '300.1.1.1:80:80', '8000-8010:80-89', '8000:80-81', '81-80', '1-2000', '1-2-3', '::1:80:80', 'x'.repeat(100)]) {
    assert.throws(() => parsePublish(bad), /-p/, bad);
  }
  assert.throws(() => parsePublish(5 as unknown as string), /-p/);
});

test('-P: the image\'s EXPOSE keys', () => {
  assert.deepEqual(exposedMappings({ '80/tcp': {}, '53/udp': {}, '8080': {}, '1-2/tcp': {}, '99/sctp': {}, '5-4/tcp': {} }), [
    // (an integer-like key comes first in a JS object); a range is each of its ports, sctp and a reversed range nothing
    { hostPort: 0, containerPort: 8080, protocol: 'tcp' }, { hostPort: 0, containerPort: 80, protocol: 'tcp' }, { hostPort: 0, containerPort: 53, protocol: 'udp' },
    { hostPort: 0, containerPort: 1, protocol: 'tcp' }, { hostPort: 0, containerPort: 2, protocol: 'tcp' },
  ]);
  assert.deepEqual(exposedMappings(undefined), []);
});

test('subnets: parsed strictly, overlaps found, a free /16 picked', () => {
  assert.equal(formatCidr(parseCidr('10.89.0.0/16', 's')), '10.89.0.0/16');
  assert.throws(() => parseCidr('10.89.0.1/16', 's'), /host bits/);
  assert.throws(() => parseCidr('10.89.0.0/4', 's'), /prefix length/);
  assert.throws(() => parseCidr('10.89.0.0/31', 's'), /prefix length/);
  assert.throws(() => parseIp('1.2.3.256', 'ip'), /over 255/);
  assert.ok(overlaps(parseCidr('10.0.0.0/8', 's'), parseCidr('10.1.2.0/24', 's')));
  assert.ok(!overlaps(parseCidr('10.1.3.0/24', 's'), parseCidr('10.1.2.0/24', 's')));
  assert.equal(formatCidr(freeSubnet([parseCidr('10.88.0.0/16', 's'), parseCidr('10.89.5.0/24', 's')])!), '10.90.0.0/16');
});

test('an attachment\'s list: portmap only with ports, firewall only when asked, the default route only on eth0', () => {
  const base = { cniVersion: '1.0.0', name: 'n', plugins: [{ type: 'bridge', ipam: { type: 'host-local', routes: [{ dst: '0.0.0.0/0' }] } }, { type: 'portmap' }, { type: 'firewall' }] };
  assert.deepEqual(attachmentList(base, { ports: false, primary: true, firewall: false }).plugins.map((p) => p.type), ['bridge']);
  const second = attachmentList(base, { ports: true, primary: false, firewall: true });
  assert.deepEqual(second.plugins.map((p) => p.type), ['bridge', 'portmap', 'firewall']);
  assert.equal((second.plugins[0].ipam as { routes?: unknown }).routes, undefined);
  assert.ok((base.plugins[0].ipam as { routes?: unknown }).routes, 'the network list itself is left as it is');
});
