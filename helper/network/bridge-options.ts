// `network create -o KEY=VALUE`: Docker's bridge driver options. Those
// nscope's networks can honour are taken (the bridge's name, the MTU of the
// bridge and of every veth, masquerading off, inter-container traffic off);
// every other key is refused by name, Docker's own ones with the reason,
// so no option is silently dropped.
import { invalid } from '../errors';

export const OPT_BRIDGE_NAME = 'com.docker.network.bridge.name';
export const OPT_MTU = 'com.docker.network.driver.mtu';
export const OPT_MASQUERADE = 'com.docker.network.bridge.enable_ip_masquerade';
export const OPT_ICC = 'com.docker.network.bridge.enable_icc';

/** Docker's bridge options nscope knows and does not do, with why. */
const NOT_HERE: Record<string, string> = {
  'com.docker.network.bridge.host_binding_ipv4': 'give the address with each -p HOST_IP:PORT:PORT instead',
  'com.docker.network.bridge.gateway_mode_ipv4': 'nscope networks are always NAT (or internal)',
  'com.docker.network.bridge.gateway_mode_ipv6': 'nscope networks are IPv4 only',
  'com.docker.network.bridge.inhibit_ipv4': 'the bridge always has the gateway address',
  'com.docker.network.bridge.trusted_host_interfaces': 'not implemented',
  'com.docker.network.bridge.default_bridge': 'the default network is the helper\'s (nscope daemon --default-network-bridge)',
  'com.docker.network.container_iface_prefix': 'containers\' interfaces are always eth0, eth1, …',
  'com.docker.network.enable_ipv6': 'nscope networks are IPv4 only',
  'com.docker.network.endpoint.ifname': 'containers\' interfaces are always eth0, eth1, …',
};

/** The options at most (a client's map is stored with the network). */
const MAX_OPTIONS = 32;

export interface BridgeOptions {
  bridge?: string;
  mtu?: number;
  /** false: no MASQUERADE rule, traffic leaves with the containers' own addresses */
  masquerade?: boolean;
  /** false: the bridge ports are isolated from each other */
  icc?: boolean;
}

/** An interface name the kernel takes (IFNAMSIZ: 15 characters; no '/', ':' or spaces, never "." or ".."). */
export function checkBridgeName(name: string, what: string): string {
  if (typeof name !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/.test(name)) throw invalid(`${what}: "${String(name).slice(0, 40)}" is not a valid interface name (1-15 of [a-zA-Z0-9_.-])`);
  return name;
}

/** Go's strconv.ParseBool, which Docker reads these with. */
function goBool(key: string, v: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw invalid(`-o ${key}: "${v.slice(0, 40)}" is not a boolean (true or false)`);
}

/** Checks the map and reads what it asks; the map itself is kept as given (inspect's Options). */
export function parseBridgeOptions(v: unknown): { options: Record<string, string>; bridge: BridgeOptions } {
  if (v === undefined) return { options: {}, bridge: {} };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid('-o/--opt: must be a map of KEY to string VALUE');
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > MAX_OPTIONS) throw invalid(`-o/--opt: at most ${MAX_OPTIONS} options (got ${entries.length})`);
  const options: Record<string, string> = {};
  const out: BridgeOptions = {};
  for (const [key, value] of entries) {
    if (typeof value !== 'string' || value.length > 256) throw invalid(`-o ${key.slice(0, 80)}: the value must be a string of at most 256 characters`);
    switch (key) {
      case OPT_BRIDGE_NAME: out.bridge = checkBridgeName(value, `-o ${key}`); break;
      case OPT_MTU: {
        if (!/^\d{1,5}$/.test(value) || Number(value) < 68 || Number(value) > 65535) throw invalid(`-o ${key}: "${value.slice(0, 40)}" is not an MTU (68 to 65535)`);
        out.mtu = Number(value);
        break;
      }
      case OPT_MASQUERADE: out.masquerade = goBool(key, value); break;
      case OPT_ICC: out.icc = goBool(key, value); break;
      default:
        if (Object.hasOwn(NOT_HERE, key)) throw invalid(`-o ${key}: not supported by nscope's bridge networks: ${NOT_HERE[key]}`);
        throw invalid(`-o ${key.slice(0, 80)}: unknown option of the bridge driver (nscope takes ${[OPT_BRIDGE_NAME, OPT_MTU, OPT_MASQUERADE, OPT_ICC].join(', ')})`);
    }
    options[key] = value;
  }
  return { options, bridge: out };
}
