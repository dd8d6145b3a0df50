// `run --ip` and `--mac-address`: an address of the user's choosing on the
// container's first network, instead of the next free one. Docker's rules
// and words: a fixed IP only on a user-defined network, inside its subnet,
// not its network, broadcast or gateway address nor an --aux-address; a MAC only unicast. The
// IP goes to host-local as the `ips` runtime config (a taken one is refused
// there, "requested IP address … is not available"), the MAC to the bridge
// plugin as `mac`.
import { invalid } from '../errors';
import { contains, formatCidr, formatIp, nth, parseCidr, parseIp, size } from './cidr';
import type { NetworkMeta } from './conflist';

export function checkFixedIp(ip: string, m: NetworkMeta): string {
  if (m.isDefault) throw invalid('user specified IP address is supported on user defined networks only');
  const n = parseIp(ip, '--ip');
  const subnet = parseCidr(m.subnet, `network ${m.name}`, 0, 32);
  if (!contains(subnet, n)) throw invalid(`Invalid address ${ip}: It does not belong to any of this network's subnets (${formatCidr(subnet)})`);
  if (n === subnet.base || n === nth(subnet, size(subnet) - 1)) throw invalid(`--ip: ${ip} is the network or broadcast address of ${formatCidr(subnet)}`);
  if (formatIp(n) === m.gateway) throw invalid(`--ip: ${ip} is the gateway of network ${m.name}: Address already in use`);
  // outside --ip-range is fine (as Docker's), an --aux-address is not
  const aux = Object.entries(m.auxAddresses ?? {}).find(([, a]) => a === formatIp(n));
  if (aux) throw invalid(`--ip: ${ip} is reserved on network ${m.name} (--aux-address ${aux[0]}): Address already in use`);
  return formatIp(n);
}

/** The address in the CIDR form host-local takes ("10.89.0.5/16"). */
export function ipWithPrefix(ip: string, m: NetworkMeta): string {
  return `${ip}/${m.subnet.split('/')[1]}`;
}

export function checkMac(mac: string): string {
  if (typeof mac !== 'string' || !/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) throw invalid(`${String(mac).slice(0, 40)} is not a valid mac address`);
  const bytes = mac.toLowerCase().split(':').map((b) => parseInt(b, 16));
  if (bytes[0] & 1) throw invalid(`--mac-address: ${mac} is a multicast address; a container's must be unicast`);
  if (bytes.every((b) => b === 0)) throw invalid(`--mac-address: ${mac} is all zeros`);
  return mac.toLowerCase();
}
