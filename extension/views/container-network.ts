// A running container's Network node: its interfaces as its own network
// namespace has them (/proc/PID/net/dev, read through the helper), each with
// the address the helper gave it and, below, the host side of its veth pair
// and the bridge that pair hangs on; then its published ports, a TCP one
// with "Open in Browser". Until the helper has networking it shows what the
// kernel shows (lo) and nothing else: no error.
import * as vscode from 'vscode';
import type { ContainerDetail, ContainerNetwork, PortMapping } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { parseNetDev, portLabel, portUrl, trafficDescription, type NetDevCounters } from '../network-format';
import { procNetDev, setKernelSource, sysClassNet } from './kernel-sources';
import { LeafNode, Node } from './tree';

const C = vscode.TreeItemCollapsibleState;

/** What a container's group nodes need of the container node (containers.ts), without importing it back. */
export interface ContainerOwner { readonly id?: string; readonly conn: Connection; readonly pid?: number }

export class NetworkGroupNode extends Node {
  constructor(private readonly owner: ContainerOwner, private readonly detail: ContainerDetail) {
    super('Network', C.Collapsed);
    this.id = `${owner.id}:network`;
    this.iconPath = new vscode.ThemeIcon('globe');
    const nets = detail.networks ?? [];
    const ports = detail.ports ?? [];
    const hostNet = detail.namespaces.find((n) => n.type === 'net')?.shared;
    this.description = hostNet ? 'the host\'s network'
      : [...nets.map((n) => n.address.replace(/\/\d+$/, '')), ports.length ? `${ports.length} published port${ports.length === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ') || undefined;
    const src = owner.pid ? procNetDev(owner.pid) : undefined;
    this.tooltip = `${src ?? 'its network namespace'}\nthe interfaces of the container's network namespace${nets.length ? `; on ${nets.map((n) => n.network).join(', ')}` : ''}`;
    setKernelSource(this, 'group.network', src);
  }

  override async children(): Promise<Node[]> {
    const counters = await this.readNetDev();
    const nets = this.detail.networks ?? [];
    // the kernel's order (lo first, as `ip link` lists them), then any the helper knows that the read missed
    const names = [...(counters?.map((c) => c.name) ?? []), ...nets.map((n) => n.ifname)].filter((x, i, a) => a.indexOf(x) === i);
    const out: Node[] = names.map((name) => new InterfaceNode(this.id!, name, nets.find((n) => n.ifname === name), counters?.find((c) => c.name === name), this.kernelSource));
    out.push(...(this.detail.ports ?? []).map((p) => new PortNode(this.id!, p, this.detail.id)));
    if (!out.length) out.push(new LeafNode('no interfaces known', 'info', `${this.id}:none`));
    return out;
  }

  /** The interfaces as the kernel counts them; undefined where the helper does not read that file (an older helper). */
  private async readNetDev(): Promise<NetDevCounters[] | undefined> {
    if (!this.owner.pid) return undefined;
    try {
      const r = await this.owner.conn.request('kernel.read', { path: procNetDev(this.owner.pid) });
      return parseNetDev(Buffer.from(r.data, 'base64').toString('utf8'));
    } catch {
      return undefined;
    }
  }
}

/** One interface inside the container: its address and traffic; below it, the host side. */
class InterfaceNode extends Node {
  constructor(parentId: string, private readonly ifname: string, private readonly net: ContainerNetwork | undefined, counters: NetDevCounters | undefined, netDev: string | undefined) {
    super(ifname, net?.hostVeth || net?.bridge ? C.Collapsed : C.None);
    this.id = `${parentId}:if:${ifname}`;
    this.iconPath = new vscode.ThemeIcon(ifname === 'lo' ? 'home' : 'symbol-interface');
    this.description = [net?.address, net ? `network ${net.network}` : ifname === 'lo' ? 'loopback' : '', counters ? trafficDescription(counters) : ''].filter(Boolean).join(' · ');
    const lines = [`${ifname} in the container's network namespace`];
    if (net) {
      lines.push(`address ${net.address}${net.gateway ? ` · gateway ${net.gateway}` : ''}${net.mac ? ` · mac ${net.mac}` : ''}`);
      if (net.aliases.length) lines.push(`other containers on ${net.network} reach it as ${net.aliases.join(', ')}`);
    }
    if (counters) lines.push(`${counters.rxPackets} packets in, ${counters.txPackets} out`);
    if (netDev) lines.push(`its line in ${netDev}`);
    this.tooltip = lines.join('\n');
    setKernelSource(this, 'interface', netDev);
  }

  override async children(): Promise<Node[]> {
    const n = this.net!;
    const out: Node[] = [];
    if (n.hostVeth) {
      const v = new LeafNode(n.hostVeth, 'arrow-swap', `${this.id}:veth`);
      v.description = `host side of ${this.ifname}'s veth pair${n.bridge ? ` · on ${n.bridge}` : ''}`;
      v.tooltip = `${sysClassNet(n.hostVeth)}\nthe other end of the pair, in the host's network namespace: what ${this.ifname} sends comes out here`;
      setKernelSource(v, 'veth', sysClassNet(n.hostVeth));
      out.push(v);
    }
    if (n.bridge) {
      const b = new LeafNode(n.bridge, 'type-hierarchy', `${this.id}:bridge`);
      b.description = `bridge of network ${n.network}${n.gateway ? ` · gateway ${n.gateway}` : ''}`;
      b.tooltip = `${sysClassNet(n.bridge)}\nthe host's bridge the network's veths hang on; it holds the gateway address and forwards to the other containers and out`;
      setKernelSource(b, 'bridge', sysClassNet(n.bridge));
      out.push(b);
    }
    return out;
  }
}

/** A published port: "Open in Browser" (TCP) and "Copy Address" act on it. */
export class PortNode extends Node {
  constructor(parentId: string, readonly port: PortMapping, containerId?: string) {
    super(portLabel(port), C.None);
    this.id = `${parentId}:port:${port.protocol}:${port.hostIp ?? ''}:${port.hostPort}`;
    this.iconPath = new vscode.ThemeIcon('plug');
    // its kernel source: the DNAT rules portmap set for the container (iptables-save's text)
    setKernelSource(this, `port.${port.protocol}`, containerId ? `/netfilter/nat/${containerId}` : undefined);
    this.description = port.protocol === 'tcp' ? portUrl(port) : 'udp';
    this.tooltip = `published port: ${port.hostIp || 'every host address'} port ${port.hostPort} is forwarded to the container's port ${port.containerPort}/${port.protocol}`
      + '\n(kernel DNAT rules set by the CNI portmap plugin, no proxy process in between)';
  }
}
