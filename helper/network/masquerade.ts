// Traffic from a network's containers to elsewhere leaves with the host's
// address: one MASQUERADE rule per network (Docker's rule for its bridges),
// added when a container first attaches and removed with the network. The
// bridge plugin's own ipMasq would make an iptables chain per container, some
// 20–30 ms of iptables calls at every start and again at every stop.
import { execFile } from 'child_process';
import type { NetworkMeta } from './conflist';

function iptables(args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('iptables', ['-w', '-t', 'nat', ...args], { timeout: 10000 }, (err) => resolve(!err));
  });
}

/** What makes one rule: a network renamed or re-addressed is another. */
export const masqueradeKey = (m: NetworkMeta) => `${m.name} ${m.subnet} ${m.bridge}`;

function rule(m: NetworkMeta): string[] {
  return ['POSTROUTING', '-s', m.subnet, '!', '-o', m.bridge, '-m', 'comment', '--comment', `nscope network ${m.name}`, '-j', 'MASQUERADE'];
}

/** Adds the rule unless it is there (a restarted helper finds its rules of before). */
export async function ensureMasquerade(m: NetworkMeta): Promise<void> {
  const r = rule(m);
  if (await iptables(['-C', ...r])) return;
  if (!await iptables(['-A', ...r])) throw new Error(`iptables: cannot add the masquerade rule of network ${m.name} (${m.subnet} via ${m.bridge})`);
}

/** Removes every copy of the rule; nothing to remove is fine. */
export async function removeMasquerade(m: NetworkMeta): Promise<void> {
  const r = rule(m);
  for (let i = 0; i < 8 && await iptables(['-D', ...r]); i++) { /* one per call */ }
}
