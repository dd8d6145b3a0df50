// `ps --filter` keys answered from each container's details rather than the
// list: network=NAME|ID, volume=NAME|DESTINATION, publish=PORT[-PORT][/PROTO]
// (a container port it publishes), expose=PORT[-PORT][/PROTO] (one it or its
// image exposes), as Docker's daemon/list.go filters them; is-task (swarm:
// never) and isolation (default only on Linux) need nothing asked.
import type { ContainerDetail, ContainerSummary, NetworkSummary } from '../protocol';
import type { HelperClient } from '../protocol/client';
import { UsageError } from './args';
import type { Filters } from './filters';

/** The networks a container is on: attached while it runs, else as configured (Docker's network= and {{.Networks}} see a stopped container's too). */
export function networkNames(d: ContainerDetail): string[] {
  return [...new Set([...(d.networks ?? []).map((n) => n.network), ...(d.networksAsked ?? []).map((n) => n.name)])];
}

export const DETAIL_FILTERS = ['network', 'volume', 'publish', 'expose', 'is-task', 'isolation'] as const;

/** "80", "80/udp", "8000-8010/tcp" as [first, last, proto]. */
function portFilter(key: string, v: string): [number, number, string] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/.exec(v);
  const first = m ? Number(m[1]) : NaN;
  const last = m?.[2] !== undefined ? Number(m[2]) : first;
  if (!m || first < 1 || last > 65535 || last < first) throw new UsageError(`invalid filter '${key}=${v}': PORT, PORT-PORT, with /tcp, /udp or /sctp`);
  return [first, last, m[3] ?? 'tcp'];
}

/** Checks the values of these keys (before anything is asked of the helper). */
export function checkDetailFilters(f: Filters): void {
  for (const v of f.get('publish') ?? []) portFilter('publish', v);
  for (const v of f.get('expose') ?? []) portFilter('expose', v);
  for (const v of f.get('is-task') ?? []) if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) throw new UsageError(`invalid filter 'is-task=${v}': true or false`);
  for (const v of f.get('isolation') ?? []) if (!['default', 'process', 'hyperv'].includes(v)) throw new UsageError(`invalid filter 'isolation=${v}': default, process or hyperv`);
}

const portIn = (port: number, proto: string, specs: [number, number, string][]) => specs.some(([a, b, pr]) => pr === proto && port >= a && port <= b);

/** `rows` that the detail filters of `f` keep (all of them when none is given). */
export async function filterByDetails(c: HelperClient, rows: ContainerSummary[], f: Filters): Promise<ContainerSummary[]> {
  if (f.get('is-task')?.some((v) => ['true', '1'].includes(v.toLowerCase()))) return [];
  if (f.get('isolation')?.every((v) => v !== 'default')) return [];
  if (!['network', 'volume', 'publish', 'expose'].some((k) => f.has(k))) return rows;
  let networks: NetworkSummary[] = [];
  if (f.has('network')) networks = await c.request('network.list', {});
  // network=ID (or a prefix of it) names the network as a name does
  const netNames = (f.get('network') ?? []).map((v) => networks.find((n) => n.id === v || (v.length >= 3 && n.id.startsWith(v)))?.name ?? v);
  const publish = (f.get('publish') ?? []).map((v) => portFilter('publish', v));
  const expose = (f.get('expose') ?? []).map((v) => portFilter('expose', v));
  const imageExposed = new Map<string, string[]>();
  const exposedOf = async (d: ContainerDetail): Promise<string[]> => {
    if (!imageExposed.has(d.imageId)) {
      const cfg = (await c.request('image.inspect', { ref: d.imageId }).catch(() => undefined))?.config as { config?: { ExposedPorts?: Record<string, unknown> } } | undefined;
      imageExposed.set(d.imageId, Object.keys(cfg?.config?.ExposedPorts ?? {}));
    }
    return [...imageExposed.get(d.imageId)!, ...(d.exposed ?? []), ...(d.ports ?? []).map((p) => `${p.containerPort}/${p.protocol}`)];
  };
  const kept: ContainerSummary[] = [];
  // asked all at once, as ps's template asks for the details it shows
  const details = await Promise.all(rows.map((row) => c.request('container.inspect', { id: row.id }).catch(() => undefined)));
  for (const [i, row] of rows.entries()) {
    const d = details[i];
    if (!d) continue;
    if (netNames.length && !netNames.some((n) => networkNames(d).includes(n))) continue;
    if (f.has('volume') && !f.get('volume')!.some((v) => (d.mounts ?? []).some((m) => (m.type === 'volume' && m.name === v) || m.destination === v))) continue;
    if (publish.length && !(d.ports ?? []).some((p) => portIn(p.containerPort, p.protocol, publish))) continue;
    if (expose.length) {
      const ports = (await exposedOf(d)).map((k) => /^(\d+)(?:\/(\w+))?$/.exec(k)).filter((m): m is RegExpExecArray => !!m);
      if (!ports.some((m) => portIn(Number(m[1]), m[2] ?? 'tcp', expose))) continue;
    }
    kept.push(row);
  }
  return kept;
}
