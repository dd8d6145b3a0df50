// `network create --internal`: a network with no way out. Its containers get
// no default route (conflist.ts) and no masquerade rule (masquerade.ts), and
// two DROP rules make sure nothing crosses the bridge's edge even where a
// container routes by itself (CAP_NET_ADMIN): traffic from the bridge to an
// address outside its subnet (the host's other addresses, other networks,
// the world) and traffic into its subnet from anywhere but the bridge. What
// stays open: the containers among themselves, and the host and they at the
// host's address on the bridge.
//
// Why the raw table's PREROUTING: it comes before the routing decision, so
// one rule covers both what the host would forward and what it would take
// in itself (INPUT), and no other rule set runs ahead of it — in filter's
// FORWARD the firewall plugin's jump, which it inserts at the top when it is
// first needed, would ACCEPT a container's traffic before a DROP of ours
// (Docker 28 puts its own isolation of direct routing there too). With
// br_netfilter, frames bridged between two containers are seen with the
// bridge as their input and a destination inside the subnet: never dropped.
import type { NetworkMeta } from './conflist';
import { ensureFirst, removeEvery } from './raw-rules';

/** What makes one set of rules (a network renamed or re-addressed has another). */
export const internalKey = (m: NetworkMeta) => `${m.name} ${m.subnet} ${m.bridge}`;

function rules(m: NetworkMeta): string[][] {
  const comment = ['-m', 'comment', '--comment', `nscope network ${m.name} internal`];
  return [
    ['PREROUTING', '-i', m.bridge, '!', '-d', m.subnet, ...comment, '-j', 'DROP'],
    ['PREROUTING', '!', '-i', m.bridge, '-d', m.subnet, ...comment, '-j', 'DROP'],
  ];
}

/** Puts the rules first in raw PREROUTING unless they are there; all or none. */
export function ensureInternal(m: NetworkMeta): Promise<void> {
  return ensureFirst(rules(m), `iptables: cannot add the isolation rules of internal network ${m.name} (${m.subnet} on ${m.bridge})`);
}

/** Removes every copy of the rules; nothing to remove is fine. */
export function removeInternal(m: NetworkMeta): Promise<void> {
  return removeEvery(rules(m));
}
