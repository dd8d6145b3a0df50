// What `network create` turns --ip-range, --aux-address and -o into, before
// anything touches the host: host-local's ranges, the bridge driver options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkAuxAddresses, checkIpRange, hostLocalRanges, usableAddresses } from '../../helper/network/address-ranges';
import { parseBridgeOptions } from '../../helper/network/bridge-options';
import { parseCidr, parseIp } from '../../helper/network/cidr';
import { attachmentList, conflistOf, givesDefaultRoute, type NetworkMeta } from '../../helper/network/conflist';

const plan = { subnet: '10.9.0.0/24', gateway: '10.9.0.1' };

test('ranges: the plain subnet unchanged; an ip-range its hosts; aux addresses cut out; the whole subnet for a --ip', () => {
  assert.deepEqual(hostLocalRanges(plan), [plan]);
  assert.deepEqual(hostLocalRanges({ ...plan, ipRange: '10.9.0.128/26' }), [{ ...plan, rangeStart: '10.9.0.128', rangeEnd: '10.9.0.191' }]);
  // the subnet's last host, never its broadcast address
  assert.deepEqual(hostLocalRanges({ ...plan, ipRange: '10.9.0.0/24' }), [{ ...plan, rangeStart: '10.9.0.1', rangeEnd: '10.9.0.254' }]);
  const aux = { a: '10.9.0.129', b: '10.9.0.128', c: '10.9.0.5' };
  assert.deepEqual(hostLocalRanges({ ...plan, ipRange: '10.9.0.128/29', auxAddresses: aux }), [{ ...plan, rangeStart: '10.9.0.130', rangeEnd: '10.9.0.135' }]);
  assert.deepEqual(hostLocalRanges({ ...plan, ipRange: '10.9.0.128/29', auxAddresses: aux }, true).map((r) => `${r.rangeStart}-${r.rangeEnd}`),
    ['10.9.0.1-10.9.0.4', '10.9.0.6-10.9.0.127', '10.9.0.130-10.9.0.254']);
  assert.deepEqual(hostLocalRanges({ ...plan, ipRange: '10.9.0.128/29' }, true), [plan]);
  assert.equal(usableAddresses(hostLocalRanges(plan)), 253);
  assert.equal(usableAddresses(hostLocalRanges({ ...plan, ipRange: '10.9.0.0/30' })), 2, '.1 is the gateway: .2 and .3');
  assert.equal(usableAddresses(hostLocalRanges({ ...plan, ipRange: '10.9.0.1/32' })), 0);
});

test('ip-range and aux addresses are checked against the subnet', () => {
  const subnet = parseCidr('10.9.0.0/24', 'subnet');
  assert.equal(checkIpRange('10.9.0.64/26', subnet), '10.9.0.64/26');
  assert.throws(() => checkIpRange('10.9.1.0/26', subnet), /not inside the subnet/);
  assert.throws(() => checkIpRange('10.9.0.0/16', subnet), /not inside the subnet/);
  assert.throws(() => checkIpRange('10.9.0.65/26', subnet), /host bits set/);
  const gw = parseIp('10.9.0.1', 'gw');
  assert.deepEqual(checkAuxAddresses({ router: '10.9.0.2' }, subnet, gw), { router: '10.9.0.2' });
  assert.throws(() => checkAuxAddresses({ router: '10.9.0.1' }, subnet, gw), /gateway/);
  assert.throws(() => checkAuxAddresses({ router: '10.9.0.255' }, subnet, gw), /not a host address/);
  assert.throws(() => checkAuxAddresses({ 'bad name': '10.9.0.2' }, subnet, gw), /not a valid name/);
  assert.throws(() => checkAuxAddresses(['10.9.0.2'], subnet, gw), /must be a map/);
  assert.throws(() => checkAuxAddresses(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`a${i}`, '10.9.0.2'])), subnet, gw), /at most 64/);
});

test('-o: the options nscope honours read, the others refused by name', () => {
  assert.deepEqual(parseBridgeOptions({ 'com.docker.network.bridge.name': 'br-x', 'com.docker.network.driver.mtu': '9000', 'com.docker.network.bridge.enable_ip_masquerade': 'False', 'com.docker.network.bridge.enable_icc': '1' }).bridge,
    { bridge: 'br-x', mtu: 9000, masquerade: false, icc: true });
  assert.throws(() => parseBridgeOptions({ 'com.docker.network.driver.mtu': '67' }), /not an MTU/);
  assert.throws(() => parseBridgeOptions({ 'com.docker.network.bridge.name': '0123456789abcdef' }), /not a valid interface name/);
  assert.throws(() => parseBridgeOptions({ 'com.docker.network.bridge.inhibit_ipv4': 'true' }), /inhibit_ipv4: not supported/);
  assert.throws(() => parseBridgeOptions({ foo: 'bar' }), /-o foo: unknown option/);
  assert.throws(() => parseBridgeOptions({ 'com.docker.network.bridge.enable_icc': 'yes' }), /not a boolean/);
});

test('the conflist: MTU on the bridge plugin; an internal network has no default route, so the next network gives it', () => {
  const meta: NetworkMeta = { name: 'n', id: 'x', subnet: '10.9.0.0/24', gateway: '10.9.0.1', bridge: 'br-n', created: '', isDefault: false, labels: {}, mtu: 1400, ipRange: '10.9.0.128/25' };
  const list = conflistOf('/r', meta);
  assert.equal(list.plugins[0].mtu, 1400);
  assert.ok(givesDefaultRoute(list));
  assert.deepEqual((list.plugins[0].ipam as { ranges: unknown[][] }).ranges[0], [{ subnet: '10.9.0.0/24', gateway: '10.9.0.1', rangeStart: '10.9.0.128', rangeEnd: '10.9.0.254' }]);
  assert.deepEqual((conflistOf('/r', meta, true).plugins[0].ipam as { ranges: unknown[][] }).ranges[0], [{ subnet: '10.9.0.0/24', gateway: '10.9.0.1' }]);
  const internal = conflistOf('/r', { ...meta, internal: true });
  assert.ok(!givesDefaultRoute(internal));
  assert.ok(!givesDefaultRoute(attachmentList(list, { ports: false, primary: false, firewall: false })));
});
