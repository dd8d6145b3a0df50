// The CNI configuration list of an nscope network: a bridge with the
// gateway address on it (masquerading for traffic that leaves the host is
// the network's one rule: masquerade.ts),
// host-local IPAM keeping its allocations under nscope's root (so they
// survive a helper restart), portmap for published ports and firewall for
// hosts whose FORWARD policy is DROP (Docker sets it so).
import * as path from 'path';
import { hostLocalRanges } from './address-ranges';
import type { ConfList, PluginConf } from './cni';

export interface NetworkMeta {
  name: string;
  id: string;
  subnet: string;
  gateway: string;
  bridge: string;
  created: string;
  isDefault: boolean;
  labels: Record<string, string>;
  // What `network create` was given beyond the subnet (absent in networks
  // made before these existed: the defaults)
  /** --internal: no default route, no masquerading, nothing crosses the bridge's edge (internal.ts) */
  internal?: boolean;
  /** --attachable: kept and shown; every nscope network takes `network connect` */
  attachable?: boolean;
  /** --ip-range: the block containers' addresses come from (a CIDR inside the subnet) */
  ipRange?: string;
  /** --aux-address NAME=IP: addresses never handed out (address-ranges.ts) */
  auxAddresses?: Record<string, string>;
  /** -o as given: what inspect shows as Options (bridge-options.ts) */
  options?: Record<string, string>;
  /** -o com.docker.network.driver.mtu: the bridge's and every veth's */
  mtu?: number;
  /** -o com.docker.network.bridge.enable_ip_masquerade=false: no MASQUERADE rule */
  masquerade?: boolean;
  /** -o com.docker.network.bridge.enable_icc=false: the containers' bridge ports isolated from each other (links.ts) */
  icc?: boolean;
}

/** host-local keeps one directory per network name below this (its lock, last address, a file per address). */
export const ipamDir = (root: string) => path.join(root, 'networks', 'ipam');

/**
 * `anyAddress`: an attachment with a --ip, which may lie anywhere in the
 * subnet, outside the --ip-range too (as Docker has it): its own list gets
 * the subnet's ranges (the same store, so the address is still checked as free).
 */
export function conflistOf(root: string, n: NetworkMeta, anyAddress = false): ConfList {
  return {
    cniVersion: '1.0.0',
    name: n.name,
    plugins: [
      {
        // masquerading is one rule per network (masquerade.ts), not the plugin's chain per container
        // isGateway: the gateway address goes on the bridge (an internal network's too, where it is the
        // host's address there, not a way out: its containers get no route through it)
        type: 'bridge', bridge: n.bridge, isGateway: true, ipMasq: false, ...(n.mtu ? { mtu: n.mtu } : {}),
        // run --ip (host-local takes the `ips` the bridge hands it) and --mac-address (./fixed-address.ts)
        capabilities: { ips: true, mac: true },
        // a container reaching its own published port through the host goes out and back in on the same port
        hairpinMode: true,
        ipam: {
          type: 'host-local', dataDir: ipamDir(root),
          ranges: [hostLocalRanges(n, anyAddress)],
          ...(n.internal ? {} : { routes: [{ dst: '0.0.0.0/0' }] }),
        },
      },
      // snat (its default) masquerades hairpin and 127.0.0.1-sourced traffic
      // and sets route_localnet on the bridge, without which the kernel drops
      // packets from 127.0.0.1 that DNAT sent out to the bridge: that is what
      // makes `curl 127.0.0.1:PORT` on the host reach the container
      { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      { type: 'firewall', backend: 'iptables' },
    ],
  };
}

/** Whether an attachment's list gives the container a default route (its network is not internal, and no earlier attachment had one). */
export function givesDefaultRoute(list: ConfList): boolean {
  const ipam = list.plugins.find((p) => p.type === 'bridge')?.ipam as { routes?: unknown[] } | undefined;
  return !!ipam?.routes?.length;
}

/**
 * The list one attachment runs with: portmap only when it has ports to map
 * (it would add nothing, and every plugin is a process started), the
 * firewall only where the host's FORWARD policy drops (its ADD and DEL
 * are some 45 ms of iptables calls, most of a start's network set-up;
 * with policy ACCEPT its rules change nothing), the
 * default route only on the first attachment that has one (a second network
 * adds an address, not a second default route, which the kernel would
 * refuse as existing; after an internal eth0 the next network's gateway is
 * the way out, as Docker picks it).
 */
export function attachmentList(base: ConfList, o: { ports: boolean; primary: boolean; firewall: boolean }): ConfList {
  const plugins: PluginConf[] = base.plugins.filter((p) => (p.type !== 'portmap' || o.ports) && (p.type !== 'firewall' || o.firewall)).map((p) => {
    if (p.type !== 'bridge' || o.primary) return p;
    const ipam = { ...(p.ipam as Record<string, unknown>) };
    delete ipam.routes;
    return { ...p, ipam };
  });
  return { ...base, plugins };
}
