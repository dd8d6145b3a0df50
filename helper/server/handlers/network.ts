// Networks: `network create/ls/inspect/rm/prune/connect/disconnect` and `port`
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
    labels: m.labels ?? {}, internal: !!m.internal, attachable: !!m.attachable, options: m.options ?? {},
    ...(m.ipRange ? { ipRange: m.ipRange } : {}), ...(m.auxAddresses ? { auxAddresses: m.auxAddresses } : {}),
  };
}

/** label=KEY or label=KEY=VALUE against a network's labels (prune's filters) */
function labelMatch(want: string, labels: Record<string, string>): boolean {
  const eq = want.indexOf('=');
  const k = eq < 0 ? want : want.slice(0, eq);
  return Object.hasOwn(labels, k) && (eq < 0 || labels[k] === want.slice(eq + 1));
}

function labelList(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > 64 || v.some((x) => typeof x !== 'string' || !x || x.length > 1024)) throw invalid(`${what}: must be a list of at most 64 KEY or KEY=VALUE strings`);
  return v as string[];
}

export function networkHandlers(s: HelperServices): AreaHandlers<keyof NetworkMethods> {
  const net = () => s.containers.networking;
  return {
    'network.create': (p) => {
      // the store checks every field's type and value (helper/network/store.ts: create)
      const { name, subnet, gateway, labels, driver, internal, attachable, ipRange, auxAddresses, options } = obj(p);
      return summaryOf(net(), net().create({
        name: str(name, 'network create: name')!, subnet: str(subnet, '--subnet', true), gateway: str(gateway, '--gateway', true), labels,
        driver: str(driver, '--driver', true), internal, attachable, ipRange: str(ipRange, '--ip-range', true), auxAddresses, options,
      }));
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
    'network.prune': async (p) => {
      const { until, labels, labelsNot } = obj(p);
      let before = Infinity;
      if (until !== undefined) {
        before = typeof until === 'string' && until.length <= 64 ? Date.parse(until) : NaN;
        if (Number.isNaN(before)) throw invalid(`network prune: until: "${String(until).slice(0, 64)}" is not an RFC 3339 time`);
      }
      const want = labelList(labels, 'network prune: labels');
      const wantNot = labelList(labelsNot, 'network prune: labelsNot');
      const removed = await net().prune((m) => Date.parse(m.created) < before
        && want.every((l) => labelMatch(l, m.labels ?? {})) && !wantNot.some((l) => labelMatch(l, m.labels ?? {})));
      return { removed };
    },
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
