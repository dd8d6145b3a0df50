// nscope.networks: the helper's networks (CNI bridge networks), each with
// its subnet and bridge, the default one marked; below it the containers
// attached now with their address and host-side veth. A helper without
// networking answers `unsupported`: the view is empty and its welcome
// content says why (the `nscope.networks.unsupported` context key).
import * as vscode from 'vscode';
import type { NetworkEndpoint, NetworkSummary } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { shortId } from '../format';
import { networkDescription } from '../network-format';
import { AreaProbe, orUnsupported } from '../unsupported';
import { setKernelSource, sysClassNet } from './kernel-sources';
import { LeafNode, Node, TreeProvider } from './tree';

export const NETWORKS_UNSUPPORTED_KEY = 'nscope.networks.unsupported';
const UNSUPPORTED_TEXT = 'this helper has no networking yet';

export class NetworksProvider extends TreeProvider {
  private readonly probe = new AreaProbe(NETWORKS_UNSUPPORTED_KEY, (k, on) => vscode.commands.executeCommand('setContext', k, on));

  protected async roots(conn: Connection): Promise<Node[]> {
    // the view's welcome content and title buttons follow the extension's own helper; another host says it in its subtree
    const list = conn === this.conn ? await this.probe.list(() => conn.request('network.list', {})) : await orUnsupported(() => conn.request('network.list', {}));
    if (!list) return this.hosts.several ? [new LeafNode(UNSUPPORTED_TEXT, 'info')] : [];
    // the default network first, then by name
    list.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
    return list.map((n) => new NetworkNode(conn, n));
  }
}

export class NetworkNode extends Node {
  constructor(override readonly conn: Connection, readonly net: NetworkSummary) {
    super(net.name, net.containers.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = `network:${net.name}`;
    // the default network is marked by colour (and "default" in its description), not by another shape
    this.iconPath = net.isDefault ? new vscode.ThemeIcon('type-hierarchy', new vscode.ThemeColor('charts.blue')) : new vscode.ThemeIcon('type-hierarchy');
    this.description = networkDescription(net);
    this.tooltip = `${net.name}${net.isDefault ? ' (the default network: --network bridge)' : ''}\nid ${shortId(net.id)} · driver ${net.driver}\nsubnet ${net.subnet} · gateway ${net.gateway}\nbridge ${net.bridge} on the host (${sysClassNet(net.bridge)})${net.created ? `\ncreated ${net.created}` : ''}`;
    // menus match `network` and `network.default` (the default one cannot be removed); the bridge is its kernel source
    setKernelSource(this, net.isDefault ? 'network.default' : 'network', net.bridge ? sysClassNet(net.bridge) : undefined);
  }

  override async children(): Promise<Node[]> {
    const d = await this.conn.request('network.inspect', { name: this.net.name });
    if (!d.endpoints.length) return [new LeafNode('no containers attached', 'info', `${this.id}:none`)];
    return [...d.endpoints].sort((a, b) => a.containerName.localeCompare(b.containerName)).map((e) => endpointNode(this.id!, e));
  }
}

function endpointNode(parentId: string, e: NetworkEndpoint): Node {
  const n = new LeafNode(e.containerName, 'vm', `${parentId}:${e.container}`);
  n.description = [e.address, e.ifname, e.hostVeth ? `host ${e.hostVeth}` : ''].filter(Boolean).join(' · ');
  n.tooltip = `container ${e.containerName} (${shortId(e.container)})\n${e.ifname} ${e.address}${e.mac ? ` · mac ${e.mac}` : ''}${e.hostVeth ? `\nthe host side of its veth pair: ${sysClassNet(e.hostVeth)}` : ''}`;
  setKernelSource(n, 'endpoint', e.hostVeth ? sysClassNet(e.hostVeth) : undefined);
  return n;
}
