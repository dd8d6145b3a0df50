// Networks: `network create/ls/inspect/rm/connect/disconnect` and `port`
// (the contract: helper/protocol/methods/network.ts; the work: helper/network/).
import { invalid } from '../../errors';
import type { NetworkMethods, NetworkSummary } from '../../protocol';
import type { NetworkMeta } from '../../network/conflist';
import type { Networking } from '../../network/networking';
import { type AreaHandlers, type HelperServices, obj } from './types';

function str(v: unknown, what: string, optional = false): string | undefined {
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || !v || v.length > 256) throw invalid(`${what}: must be a non-empty string`);
  return v;
}

function strings(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > 64 || v.some((x) => typeof x !== 'string')) throw invalid(`${what}: must be a list of strings`);
  return v.map((a: string) => {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(a)) throw invalid(`${what}: "${a.slice(0, 64)}" is not a valid host name`);
    return a;
  });
}

function summaryOf(net: Networking, m: NetworkMeta): NetworkSummary {
  return {
    name: m.name, id: m.id, driver: 'bridge', subnet: m.subnet, gateway: m.gateway, bridge: m.bridge, created: m.created,
    isDefault: m.isDefault, containers: net.attached(m.name).map((c) => c.id),
  };
}

export function networkHandlers(s: HelperServices): AreaHandlers<keyof NetworkMethods> {
  const net = () => s.containers.networking;
  return {
    'network.create': (p) => {
      const { name, subnet, gateway, labels } = obj(p);
      return summaryOf(net(), net().create({ name: str(name, 'network create: name')!, subnet: str(subnet, '--subnet', true), gateway: str(gateway, '--gateway', true), labels }));
    },
    'network.list': () => {
      net().store.ensureDefault();
      return net().store.list().map((m) => summaryOf(net(), m));
    },
    'network.inspect': (p) => {
      const m = net().store.get(str(obj(p).name, 'network inspect: name')!);
      return { ...summaryOf(net(), m), conflist: net().store.conflist(m), endpoints: net().endpoints(m.name) };
    },
    'network.remove': async (p) => ({ name: (await net().remove(str(obj(p).name, 'network rm: name')!)).name }),
    'network.connect': (p) => {
      const { network, container, aliases, ip } = obj(p);
      return s.containers.networkConnect(str(network, 'network connect: network')!, str(container, 'network connect: container')!, strings(aliases, '--alias'), str(ip, 'network connect: --ip', true));
    },
    'network.disconnect': (p) => {
      const { network, container } = obj(p);
      return s.containers.networkDisconnect(str(network, 'network disconnect: network')!, str(container, 'network disconnect: container')!);
    },
    'container.port': (p) => s.containers.ports(str(obj(p).id, 'port: container')!),
  };
}
