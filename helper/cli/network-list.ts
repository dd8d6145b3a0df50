// `nscope network ls`: Docker's filters (driver, id, label, name, scope,
// type, dangling), its --format templates' fields ({{.ID}}, {{.Name}},
// {{.Driver}}, {{.Scope}}, {{.IPv6}}, {{.Internal}}, {{.Labels}},
// {{.Label "k"}}, {{.CreatedAt}}), -q and --no-trunc.
import type { NetworkSummary } from '../protocol';
import { UsageError } from './args';
import { type Filters, parseFilters } from './filters';
import { shortId } from './format';
import { goTime } from './ps-command';

export const NETWORK_FILTERS = ['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'] as const;
const TYPES = ['custom', 'builtin'];
const SCOPES = ['local', 'swarm', 'global'];

/** Checks the values as Docker does, before the helper is asked anything. */
export function networkFilters(values: string[] | undefined): Filters {
  const f = parseFilters(values, NETWORK_FILTERS);
  for (const t of f.get('type') ?? []) if (!TYPES.includes(t)) throw new UsageError(`invalid filter: 'type'='${t}' (custom or builtin)`);
  for (const s of f.get('scope') ?? []) if (!SCOPES.includes(s)) throw new UsageError(`invalid filter: 'scope'='${s}' (local, swarm or global)`);
  return f;
}

/** Docker's filters.Match: the value is an unanchored regular expression (or, if it is none, a substring). */
function match(want: string, s: string): boolean {
  if (want === s) return true;
  try { return new RegExp(want).test(s); } catch { return s.includes(want); }
}

function labelMatch(want: string, labels: Record<string, string>): boolean {
  const eq = want.indexOf('=');
  const k = eq < 0 ? want : want.slice(0, eq);
  return Object.hasOwn(labels, k) && (eq < 0 || labels[k] === want.slice(eq + 1));
}

/** One key's values are alternatives, different keys must all match; label= filters must all match (Docker's MatchKVList). */
export function filterNetworks(list: NetworkSummary[], f: Filters): NetworkSummary[] {
  const any = (key: string, test: (v: string) => boolean) => !f.has(key) || f.get(key)!.some(test);
  return list.filter((n) => any('driver', (v) => v === n.driver)
    && any('name', (v) => match(v, n.name))
    && any('id', (v) => match(v, n.id))
    && (f.get('label') ?? []).every((v) => labelMatch(v, n.labels ?? {}))
    && any('scope', (v) => v === 'local')
    && any('type', (v) => (v === 'builtin') === n.isDefault)
    // dangling: a user-defined network no container is on (the default one never is)
    && any('dangling', (v) => ['true', '1'].includes(v.toLowerCase()) === (!n.isDefault && !n.containers.length)));
}

/** One row as Docker's network ls templates see it (and nscope's own columns: Subnet, Gateway, Bridge, Containers). */
export function networkRow(n: NetworkSummary, noTrunc: boolean) {
  const labels = n.labels ?? {};
  return {
    ID: noTrunc ? n.id : shortId(n.id),
    Name: n.name,
    Driver: n.driver,
    Scope: 'local',
    IPv6: 'false',
    Internal: String(!!n.internal),
    Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    Label: (k: string) => labels[k] ?? '',
    CreatedAt: goTime(n.created),
    Subnet: n.subnet,
    Gateway: n.gateway,
    Bridge: n.bridge,
    Containers: String(n.containers.length),
  };
}

export const NETWORK_HEADERS: Record<string, string> = {
  ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', Label: '()LABEL',
  CreatedAt: 'CREATED AT', Subnet: 'SUBNET', Gateway: 'GATEWAY', Bridge: 'BRIDGE', Containers: 'CONTAINERS',
};
