// Networks are isolated from each other, as Docker isolates its bridges
// (its DOCKER-ISOLATION chains): a container on one network does not reach
// the containers of another through the host's routing, only those of the
// networks it is attached to. One rule per network, first in raw PREROUTING:
// what enters the host from anywhere but the network's own bridge, addressed
// into its subnet, is dropped — unless it is for an address of the host (the
// gateway), which Docker lets through too (INPUT is not FORWARD).
//
// Why the raw table, before routing and NAT (as internal.ts): in filter's
// FORWARD the firewall plugin's jump, inserted at the top when first needed,
// would ACCEPT a container's traffic before a DROP of ours. Before NAT, a
// connection to a port published on the host's address is still addressed to
// the host, so it passes (Docker's published ports answer every network too);
// replies of masqueraded connections are also still addressed to the host.
// The host's own traffic (OUTPUT, and 127.0.0.1's published ports) never
// goes through PREROUTING. With br_netfilter, frames bridged between two
// containers of a network come in on its bridge: not dropped.
import type { NetworkMeta } from './conflist';
import { ensureFirst, rawIptables, rawPrerouting, removeEvery } from './raw-rules';

function rule(m: NetworkMeta): string[] {
  return ['PREROUTING', '!', '-i', m.bridge, '-d', m.subnet, '-m', 'addrtype', '!', '--dst-type', 'LOCAL',
    '-m', 'comment', '--comment', `nscope network ${m.name} isolation`, '-j', 'DROP'];
}

/**
 * Puts the rule first in raw PREROUTING unless it is there (a restarted
 * helper finds its rules of before). The rule stays when the helper exits, as
 * the masquerade rule does; one an earlier helper left for this subnet on
 * another bridge would drop this network's own traffic, so it goes first.
 */
export async function ensureIsolation(m: NetworkMeta): Promise<void> {
  const r = rule(m);
  if (await rawIptables(['-C', ...r])) return;
  for (const line of (await rawPrerouting()).split('\n')) {
    const stale = /^-A PREROUTING -d (\S+) ! -i (\S+) .*--comment "nscope network (\S+) isolation" -j DROP$/.exec(line);
    if (stale && stale[1] === m.subnet && stale[2] !== m.bridge) await rawIptables(['-D', ...rule({ ...m, name: stale[3], bridge: stale[2] })]);
  }
  await ensureFirst([r], `iptables: cannot add the isolation rule of network ${m.name} (${m.subnet} on ${m.bridge})`);
}

/** Removes every copy of the rule; nothing to remove is fine. */
export function removeIsolation(m: NetworkMeta): Promise<void> {
  return removeEvery([rule(m)]);
}
