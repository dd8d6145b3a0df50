// The host-side pieces nscope makes beside the plugins, through iproute2:
// a pinned network namespace (`ip netns attach`, a bind mount in /run/netns,
// as Podman and CRI pin theirs) and a network's bridge going with it.
//
// Why pin: the bridge plugin's DEL tears down the masquerade rules of the
// addresses it finds on the interface inside the netns. Once the container's
// last process has exited its netns is gone, and DEL would then release the
// address but leave the NAT chain behind. A pinned netns outlives the
// container until nscope has run DEL, even across a helper restart.
import { execFile } from 'child_process';
import * as fs from 'fs';
import { NscopeError } from '../errors';

function ip(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ip', args, { timeout: 10000 }, (err, stdout, stderr) => {
      if (err) reject(new NscopeError('failed', `ip ${args.join(' ')}: ${(stderr || err.message).trim().split('\n')[0]}`));
      else resolve(stdout);
    });
  });
}

/** 12 hex digits, as Docker's short ids: /run/netns names show in the host's mount table, the full id stays out of it */
/**
 * Whether the host's FORWARD chain drops by default (Docker sets it so when
 * it starts): then containers need the firewall plugin's ACCEPT rules, even
 * between two of them on one bridge when br_netfilter is loaded. Asked at
 * every start, since another engine may have changed it meanwhile.
 */
export function forwardDrops(): Promise<boolean> {
  // asked again after 2 s: a burst of starts (a compose-like `up`) asks iptables once, not per container
  const now = Date.now();
  if (forwardAnswer && now - forwardAnswer.at < 2000) return forwardAnswer.drops;
  const drops = new Promise<boolean>((resolve) => {
    execFile('iptables', ['-w', '-S', 'FORWARD'], { timeout: 10000 }, (err, stdout) => resolve(err ? true : !/^-P FORWARD ACCEPT$/m.test(stdout)));
  });
  forwardAnswer = { at: now, drops };
  return drops;
}

let forwardAnswer: { at: number; drops: Promise<boolean> } | undefined;

export const netnsName = (containerId: string) => `nscope-${containerId.slice(0, 12)}`;
export const netnsPath = (containerId: string) => `/run/netns/${netnsName(containerId)}`;

export async function pinNetns(containerId: string, pid: number): Promise<string> {
  const p = netnsPath(containerId);
  if (fs.existsSync(p)) await unpinNetns(containerId);
  await ip(['netns', 'attach', netnsName(containerId), String(pid)]);
  return p;
}

export async function unpinNetns(containerId: string): Promise<void> {
  if (!fs.existsSync(netnsPath(containerId))) return;
  await ip(['netns', 'delete', netnsName(containerId)]);
}

export async function deleteLink(name: string): Promise<void> {
  if (!fs.existsSync(`/sys/class/net/${name}`)) return;
  await ip(['link', 'delete', name]);
}

/**
 * -o com.docker.network.bridge.enable_icc=false: the container's bridge port
 * isolated (kernel 4.18+): an isolated port forwards to no other isolated
 * port, only to the bridge itself (the host, the gateway). Docker drops such
 * traffic with an iptables rule, which needs br_netfilter; the flag on the
 * port needs nothing loaded and goes with the veth.
 */
export async function isolatePort(veth: string): Promise<void> {
  await ip(['link', 'set', 'dev', veth, 'type', 'bridge_slave', 'isolated', 'on']);
}

/** The host side of a container's veth: the bridge port whose peer is the container's interface. */
export function hostVethOf(result: { interfaces?: { name: string; sandbox?: string }[] }, bridge: string): string | undefined {
  return result.interfaces?.find((i) => !i.sandbox && i.name !== bridge)?.name;
}
