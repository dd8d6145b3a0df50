// The netfilter rules behind a container's published ports, as text: the
// `iptables-save -t nat` lines that name the container (portmap's comments
// carry its id) and the lines of the chains they jump to (portmap's
// CNI-DN-… chain holds the DNAT itself). What the Network node's port
// items open as their kernel source.
import { execFile } from 'child_process';

function iptablesSave(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('iptables-save', ['-t', 'nat'], { timeout: 10000, maxBuffer: 16 << 20 }, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

/** The nat rules of container `id` (64 hex), with a header saying where they come from. */
export async function natRulesOf(id: string, name: string): Promise<string> {
  const lines = (await iptablesSave()).split('\n');
  const own = lines.filter((l) => l.startsWith('-A ') && l.includes(id));
  const chains = new Set<string>();
  for (const l of own) {
    const m = / -j (CNI-[A-Za-z0-9-]+)/.exec(l);
    if (m && !m[1].startsWith('CNI-HOSTPORT')) chains.add(m[1]);
  }
  const jumped = lines.filter((l) => [...chains].some((c) => l.startsWith(`-A ${c} `)));
  const body = [...new Set([...own, ...jumped])];
  return [
    `# iptables-save -t nat: the rules of container ${name} (${id.slice(0, 12)})`,
    '# set by the CNI portmap plugin: DNAT from the published host port to the container, no proxy process',
    ...(body.length ? body : ['# (none: the container publishes no port, or its network is down)']),
    '',
  ].join('\n');
}
