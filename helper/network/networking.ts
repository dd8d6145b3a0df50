// A container's life on its networks: ADD when it starts (its netns exists,
// its program waits on the exec fifo, so it never runs without its network),
// DEL when it exits or is removed, CHECK when the helper starts again and
// DEL for what died while the helper was away; connect/disconnect while it
// runs. What was added is kept in the container's directory
// (networks.json: the exact list run and each ADD's result), written
// before each ADD, so a helper killed at any point can DEL it later.
//
// Names: on a user-defined network containers find each other through
// /etc/hosts, which the helper keeps current in every attached container on
// start, exit, connect and disconnect. Chosen over a DNS server (Docker's
// embedded one, CNI's dnsname with dnsmasq) because it needs no process per
// network and works with every libc and static program; the cost is that a
// container's own edits to /etc/hosts are overwritten.
import type { EventEmitter } from 'events';
import * as fs from 'fs';
import * as path from 'path';
import { conflict, describe, invalid, notFound } from '../errors';
import { readJson, writeJsonAtomic } from '../lib/atomic';
import type { ContainerNetwork, NetworkEndpoint, NscopeEvent, PortMapping } from '../protocol/types';
import { ensureMasquerade, masqueradeKey, removeMasquerade } from './masquerade';
import { addList, checkList, type CniCall, type CniResult, type ConfList, delList } from './cni';
import { attachmentList, givesDefaultRoute, type NetworkMeta } from './conflist';
import { etcFiles, hostsText, type HostsEntry, ownHostNames, rewriteInPlace } from './etc-files';
import { dnsNames } from './dns-names';
import { ensureInternal, internalKey, removeInternal } from './internal';
import { ensureIsolation, removeIsolation } from './isolation';
import { forwardDrops, hostVethOf, isolatePort, pinNetns, unpinNetns } from './links';
import { allocatePorts } from './ports';
import type { NetworkRequest } from './request';
import { type CreateNetwork, type DefaultNetworkOptions, NetworkStore } from './store';
import { ipWithPrefix } from './fixed-address';

export interface Attachment {
  network: string;
  ifname: string;
  list: ConfList;
  ports: PortMapping[];
  aliases: string[];
  /** run --ip as host-local takes it ("10.89.0.5/16"), --mac-address: asked for, not picked */
  ip?: string;
  mac?: string;
  /** absent while its ADD runs (a crash then leaves it for DEL) */
  result?: CniResult;
}

interface NetState { netns: string; attachments: Attachment[] }

/** What the network side knows of a container (the runtime's record, narrowed). */
export interface NetContainer {
  id: string;
  name: string;
  hostname: string;
  /** its directory: networks.json, hosts, resolv.conf, hostname */
  dir: string;
  /** --add-host lines */
  extraHosts?: HostsEntry[];
  /** --domainname: its own line in /etc/hosts names the FQDN */
  domainname?: string;
}

interface Live { c: NetContainer; state: NetState }

const stateFile = (dir: string) => path.join(dir, 'networks.json');
/**
 * Docker's DNS also answers NAME.NETWORK (a name or alias asked for on one
 * network: `db.backend`); with no DNS server here, those names go on the
 * hosts lines as well.
 */
const onNetwork = (names: string[], network: string) => names.map((n) => `${n}.${network}`);
const warn = (msg: string) => process.stderr.write(`nscope: warning: ${msg}\n`);

export class Networking {
  readonly store: NetworkStore;
  /** containers with something added, by id */
  private readonly live = new Map<string, Live>();
  /** one network operation at a time per container */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(root: string, defaults: DefaultNetworkOptions, private readonly events: EventEmitter) {
    this.store = new NetworkStore(root, defaults);
  }

  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.locks.set(id, settled);
    void settled.then(() => { if (this.locks.get(id) === settled) this.locks.delete(id); });
    return next;
  }

  private emit(type: NscopeEvent['type'], m: NetworkMeta, container?: NetContainer): void {
    this.events.emit('event', { type, id: m.id, name: m.name, time: new Date().toISOString(), ...(container ? { container: container.id } : {}) } satisfies NscopeEvent);
  }

  private save(c: NetContainer, state: NetState): void { writeJsonAtomic(stateFile(c.dir), state); }

  // ---- start, exit ----

  /** the netfilter rules this helper has made sure of, by network name, subnet and bridge (once per helper run) */
  private readonly ruled = new Map<string, Promise<void>>();

  /**
   * A network's rules, before its first container of this helper run is on
   * it: the masquerade rule (none for -o com.docker.network.bridge.enable_ip_masquerade=false)
   * and the isolation from other networks, or an internal network's rules instead.
   */
  private netRules(m: NetworkMeta): Promise<void> {
    const key = m.internal ? `internal ${internalKey(m)}` : `masquerade ${masqueradeKey(m)}`;
    let p = this.ruled.get(key);
    if (!p) {
      p = m.internal ? ensureInternal(m)
        : Promise.all([m.masquerade === false ? undefined : ensureMasquerade(m), ensureIsolation(m)]).then(() => undefined);
      p.catch(() => this.ruled.delete(key));
      this.ruled.set(key, p);
    }
    return p;
  }

  /** At start, before the program runs: lo up, then each network (ports checked first). Fails leaving nothing added. */
  up(c: NetContainer, pid: number, req: NetworkRequest): Promise<void> {
    return this.serial(c.id, async () => {
      // lo is up already: the shim brings it up in every new network namespace (plan.ts, op loup)
      if (!req.networks.length) return;
      const metas = req.networks.map((n) => this.store.get(n.name));
      const state: NetState = { netns: '', attachments: [] };
      this.live.set(c.id, { c, state });
      try {
        // what does not depend on the rest, at once: each is a process or two of its own
        const pinned = pinNetns(c.id, pid).then((p) => { state.netns = p; });
        const [ports, firewall] = await Promise.all([
          allocatePorts(req.ports, this.portsInUse(c.id)), forwardDrops(), pinned, ...metas.map((m) => this.netRules(m)),
        ]).catch(async (e) => { await pinned.catch(() => undefined); throw e; });
        for (const [i, m] of metas.entries()) {
          const { aliases, ip, mac } = req.networks[i];
          await this.attach(c, state, m, `eth${i}`, i === 0 ? ports : [], aliases, firewall, { ip, mac });
        }
      } catch (e) {
        await this.teardown(c, state);
        throw e;
      }
      this.refreshHosts(c, metas);
    });
  }

  /** At exit or remove (or for what recover found): DEL everything, in reverse. Never throws: what fails is warned about. */
  down(c: NetContainer): Promise<void> {
    return this.serial(c.id, async () => {
      const state = this.live.get(c.id)?.state ?? readJson<NetState>(stateFile(c.dir));
      if (!state) return;
      const metas = state.attachments.map((a) => { try { return this.store.get(a.network); } catch { return undefined; } }).filter((m): m is NetworkMeta => !!m);
      await this.teardown(c, state);
      this.refreshHosts(c, metas, false);
    });
  }

  private async teardown(c: NetContainer, state: NetState): Promise<void> {
    for (const a of [...state.attachments].reverse()) {
      await this.detach(c, state, a).catch((e) => warn(`container ${c.name}: network ${a.network}: ${describe(e)}`));
    }
    await unpinNetns(c.id).catch((e) => warn(`container ${c.name}: ${describe(e)}`));
    fs.rmSync(stateFile(c.dir), { force: true });
    this.live.delete(c.id);
  }

  private call(c: NetContainer, state: NetState, a: Attachment): CniCall {
    const portMappings = a.ports.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol, hostIP: p.hostIp ?? '' }));
    // a netns that is gone (a reboot) is passed as "": the plugins then release what is outside it (address, rules)
    const fixed = { ...(a.ip ? { ips: [a.ip] } : {}), ...(a.mac ? { mac: a.mac } : {}) };
    return { containerId: c.id, netns: fs.existsSync(state.netns) ? state.netns : '', ifname: a.ifname, runtimeConfig: { portMappings, ...fixed } };
  }

  private async attach(c: NetContainer, state: NetState, m: NetworkMeta, ifname: string, ports: PortMapping[], aliases: string[], firewall: boolean, fixed: { ip?: string; mac?: string } = {}): Promise<void> {
    const primary = !state.attachments.some((x) => givesDefaultRoute(x.list));
    const a: Attachment = {
      network: m.name, ifname, list: attachmentList(this.store.conflist(m, !!fixed.ip), { ports: ports.length > 0, primary, firewall }), ports, aliases,
      ...(fixed.ip ? { ip: ipWithPrefix(fixed.ip, m) } : {}), ...(fixed.mac ? { mac: fixed.mac } : {}),
    };
    state.attachments.push(a);
    this.save(c, state);
    try {
      a.result = await addList(a.list, this.call(c, state, a));
      // -o com.docker.network.bridge.enable_icc=false: the kernel's bridge port isolation, no rule per container
      if (m.icc === false) {
        const veth = hostVethOf(a.result, m.bridge);
        if (!veth) throw new Error(`network ${m.name}: the bridge plugin named no host veth to isolate`);
        await isolatePort(veth);
      }
    } catch (e) {
      await this.detach(c, state, a).catch(() => undefined);
      // host-local's words for a --ip another container has: Docker's
      if (fixed.ip && /requested IP address .* is not available/.test(describe(e))) throw conflict(`--ip: ${fixed.ip} is in use on network ${m.name}: Address already in use`);
      throw e;
    }
    this.save(c, state);
    this.emit('network.connected', m, c);
  }

  private async detach(c: NetContainer, state: NetState, a: Attachment): Promise<void> {
    try {
      await delList(a.list, this.call(c, state, a), a.result);
    } finally {
      state.attachments = state.attachments.filter((x) => x !== a);
      if (state.attachments.length) this.save(c, state);
    }
    if (a.result) { try { this.emit('network.disconnected', this.store.get(a.network), c); } catch { /* network gone */ } }
  }

  // ---- connect, disconnect (running containers) ----

  connect(c: NetContainer, m: NetworkMeta, aliases: string[], ip?: string): Promise<void> {
    return this.serial(c.id, async () => {
      const l = this.live.get(c.id);
      if (!l) throw conflict(`container ${c.name} has no network of its own to connect (--network none, host or container:)`);
      if (l.state.attachments.some((a) => a.network === m.name)) throw conflict(`endpoint with name ${c.name} already exists in network ${m.name}`);
      if (aliases.length && m.isDefault) throw invalid('--alias: network-scoped aliases are supported only for containers in user-defined networks');
      let n = 0;
      while (l.state.attachments.some((a) => a.ifname === `eth${n}`)) n++;
      const [firewall] = await Promise.all([forwardDrops(), this.netRules(m)]);
      await this.attach(c, l.state, m, `eth${n}`, [], aliases, firewall, { ip });
      this.refreshHosts(c, [m, ...this.networksOf(c.id)]);
    });
  }

  disconnect(c: NetContainer, m: NetworkMeta): Promise<void> {
    return this.serial(c.id, async () => {
      const l = this.live.get(c.id);
      const a = l?.state.attachments.find((x) => x.network === m.name);
      if (!l || !a) throw notFound(`container ${c.name} is not connected to network ${m.name}`);
      await this.detach(c, l.state, a);
      this.refreshHosts(c, [m, ...this.networksOf(c.id)]);
    });
  }

  // ---- the helper's start ----

  /**
   * What a container left in networks.json, found again. `running`: the
   * helper's record says it runs and its init is alive (CHECK, then kept);
   * else DEL now. A container that exited while the helper was away is
   * `running: false` here or goes through down() from its exit handling.
   */
  recover(c: NetContainer, running: boolean): void {
    const state = readJson<NetState>(stateFile(c.dir));
    if (!state) return;
    if (!running) { void this.down(c); return; }
    this.live.set(c.id, { c, state });
    void this.serial(c.id, async () => {
      for (const a of state.attachments) {
        if (!a.result) continue;
        // its networks' rules, as a first attach makes them: a helper of before may have made fewer (no isolation rule)
        try { await this.netRules(this.store.get(a.network)); } catch (e) { warn(`container ${c.name}: network ${a.network}: ${describe(e)}`); }
        await checkList(a.list, this.call(c, state, a), a.result).catch((e) => warn(`container ${c.name}: network ${a.network}: CHECK: ${describe(e)}`));
      }
    });
  }

  // ---- networks ----

  create(o: CreateNetwork): NetworkMeta {
    const m = this.store.create(o);
    this.emit('network.created', m);
    return m;
  }

  /** Refused for the default network and while containers are attached (named, as Docker names them). */
  async remove(ref: string): Promise<NetworkMeta> {
    // Docker lists host and none as networks of their own; nscope has no record of them, but
    // removing one is refused in Docker's words, not as a network that is not there
    if (ref === 'host' || ref === 'none') throw conflict(`${ref} is a pre-defined network and cannot be removed`);
    const m = this.store.get(ref);
    if (m.isDefault) throw conflict(`${ref === 'bridge' ? ref : m.name} is a pre-defined network and cannot be removed`);
    // a container whose ADD is under way counts: its bridge must not go from under it
    const users = [...this.live.values()].filter((l) => l.state.attachments.some((a) => a.network === m.name)).map((l) => l.c);
    if (users.length) throw conflict(`error while removing network: network ${m.name} id ${m.id.slice(0, 12)} has active endpoints (containers ${users.map((u) => u.name).join(', ')})`);
    await this.store.remove(m);
    await removeMasquerade(m);
    await removeIsolation(m);
    if (m.internal) await removeInternal(m);
    this.ruled.delete(`masquerade ${masqueradeKey(m)}`);
    this.ruled.delete(`internal ${internalKey(m)}`);
    this.emit('network.removed', m);
    return m;
  }

  /**
   * `network prune`: every user-defined network no container is attached to
   * (a stopped container's count as unused, as Docker's), of those `keep`
   * lets through (its filters). One removal failing (a container attached
   * meanwhile) leaves the others to go.
   */
  async prune(keep: (m: NetworkMeta) => boolean): Promise<string[]> {
    const removed: string[] = [];
    for (const m of this.store.list()) {
      if (m.isDefault || !keep(m)) continue;
      if ([...this.live.values()].some((l) => l.state.attachments.some((a) => a.network === m.name))) continue;
      try { await this.remove(m.name); removed.push(m.name); } catch (e) { warn(`network prune: ${m.name}: ${describe(e)}`); }
    }
    return removed;
  }

  // ---- views ----

  private networksOf(id: string): NetworkMeta[] {
    return (this.live.get(id)?.state.attachments ?? []).flatMap((a) => { try { return [this.store.get(a.network)]; } catch { return []; } });
  }

  /** ids of the containers attached to a network now */
  attached(name: string): NetContainer[] {
    return [...this.live.values()].filter((l) => l.state.attachments.some((a) => a.network === name && a.result)).map((l) => l.c);
  }

  portsInUse(except?: string): PortMapping[] {
    return [...this.live.values()].filter((l) => l.c.id !== except).flatMap((l) => l.state.attachments.flatMap((a) => a.ports));
  }

  ports(id: string): PortMapping[] { return (this.live.get(id)?.state.attachments ?? []).flatMap((a) => a.ports); }

  containerNetworks(id: string): ContainerNetwork[] {
    return (this.live.get(id)?.state.attachments ?? []).filter((a) => a.result).map((a) => {
      const ip = a.result!.ips?.[0];
      const bridge = (a.list.plugins.find((p) => p.type === 'bridge')?.bridge as string | undefined);
      const iface = ip?.interface !== undefined ? a.result!.interfaces?.[ip.interface] : undefined;
      return {
        network: a.network, ifname: a.ifname, address: ip?.address ?? '', gateway: ip?.gateway, mac: iface?.mac,
        hostVeth: bridge ? hostVethOf(a.result!, bridge) : undefined, bridge, aliases: a.aliases, ...(a.ip ? { requestedIp: a.ip.split('/')[0] } : {}),
      };
    });
  }

  endpoints(name: string): NetworkEndpoint[] {
    return [...this.live.values()].flatMap((l) => this.containerNetworks(l.c.id).filter((n) => n.network === name).map((n) => ({
      container: l.c.id, containerName: l.c.name, ifname: n.ifname, address: n.address, mac: n.mac, hostVeth: n.hostVeth,
    })));
  }

  /** A container was renamed: the name its peers on user-defined networks resolve it by changes with it (as Docker's DNS follows a rename). */
  renamed(id: string, name: string): void {
    const l = this.live.get(id);
    if (!l) return;
    l.c = { ...l.c, name };
    this.refreshHosts(l.c, this.networksOf(id));
  }

  // ---- /etc/hosts ----

  /** The container's own hosts file and those of everyone on the same user-defined networks. */
  private refreshHosts(c: NetContainer, touched: NetworkMeta[], self = true): void {
    const ids = new Set(self ? [c.id] : []);
    for (const m of touched) if (!m.isDefault) for (const x of this.attached(m.name)) ids.add(x.id);
    ids.delete(self ? '' : c.id);
    for (const id of ids) {
      const x = this.live.get(id)?.c ?? (id === c.id ? c : undefined);
      if (!x) continue;
      try { rewriteInPlace(etcFiles(x.dir).hosts, this.hostsOf(x)); } catch (e) { warn(`container ${x.name}: /etc/hosts: ${describe(e)}`); }
    }
  }

  private hostsOf(c: NetContainer): string {
    const mine = this.live.get(c.id)?.state.attachments.filter((a) => a.result) ?? [];
    const addr = (a: Attachment) => (a.result!.ips?.[0]?.address ?? '').split('/')[0];
    const own: HostsEntry[] = mine.filter((a) => addr(a)).map((a) => {
      const user = !this.isDefault(a.network);
      return { address: addr(a), names: [...ownHostNames(c.hostname, c.domainname), ...(user ? [c.name, ...a.aliases, ...onNetwork([c.name, ...a.aliases], a.network)] : [])] };
    });
    const peers: HostsEntry[] = [];
    for (const a of mine) {
      if (this.isDefault(a.network)) continue;
      for (const l of this.live.values()) {
        if (l.c.id === c.id) continue;
        for (const b of l.state.attachments) {
          if (b.network === a.network && b.result && addr(b)) {
            const names = dnsNames(l.c, b.aliases);
            peers.push({ address: addr(b), names: [...names, ...onNetwork(names, a.network)] });
          }
        }
      }
    }
    return hostsText(c.hostname, own, peers, c.extraHosts);
  }

  private isDefault(name: string): boolean { try { return this.store.get(name).isDefault; } catch { return false; } }
}
