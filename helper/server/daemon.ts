// `nscope daemon`: the root helper. Finds its containers again, listens on
// the socket, forwards container and image events to subscribed clients.
import * as fs from 'fs';
import { detectCgroups } from '../cgroups/detect';
import { ImageStore } from '../images/store';
import { DEFAULT_ROOT, DEFAULT_SOCKET, type NscopeEvent } from '../protocol';
import { ChangeEvents } from '../runtime/changes-events';
import { ContainerManager } from '../runtime/manager';
import { EngineContainers } from '../runtime/engine-containers';
import { loadSettings } from '../registry/settings';
import { HelperServer } from './server';
import { stopStandby } from '../files/worker-process';

export interface DaemonOptions {
  socket?: string; root?: string; group?: string; cgroupParent?: string;
  /** nscope-runtime's registry of roots (runtime-roots.ts); 'none': no engine containers (tests that must see only their own) */
  runtimeRoots?: string;
  /** registries reached over plain http or unverified TLS (besides localhost, as Docker) */
  insecureRegistries?: string[];
  /** mirrors of Docker Hub */
  registryMirrors?: string[];
  /** Docker's certs.d layout of extra CAs and client certificates (default /etc/docker/certs.d) */
  certsDir?: string;
  /** 'none': read neither /etc/docker/daemon.json nor /etc/containers/registries.conf (the flags only) */
  registryConfig?: 'none';
  /** --lxcfs: every container gets lxcfs's /proc files; --lxcfs-dir: where lxcfs is mounted */
  lxcfs?: boolean;
  lxcfsDir?: string;
  /** the default network's bridge (default nscope0) and subnet (default: the first free /16 from 10.88.0.0) */
  defaultNetworkBridge?: string;
  defaultSubnet?: string;
}

export const VERSION = '0.1.0';

export async function startDaemon(o: DaemonOptions = {}): Promise<{ close(): Promise<void>; server: HelperServer }> {
  if (process.getuid?.() !== 0) throw new Error('nscope daemon must run as root (sudo nscope daemon)');
  const root = o.root ?? DEFAULT_ROOT;
  const socket = o.socket ?? DEFAULT_SOCKET;
  fs.mkdirSync(root, { recursive: true, mode: 0o711 });
  const cgroups = detectCgroups();
  if (o.lxcfsDir !== undefined && !o.lxcfsDir.startsWith('/')) throw new Error(`--lxcfs-dir: "${o.lxcfsDir}" must be an absolute path`);
  const images = new ImageStore(root);
  const engines = new EngineContainers(cgroups, o.runtimeRoots === 'none' ? null : o.runtimeRoots);
  const containers = new ContainerManager({ root, images, cgroups, cgroupParent: o.cgroupParent, engines, lxcfs: o.lxcfs, lxcfsDir: o.lxcfsDir,
    network: { bridge: o.defaultNetworkBridge, subnet: o.defaultSubnet } });
  let server: HelperServer | undefined;
  const registry = loadSettings({ insecure: o.insecureRegistries, mirrors: o.registryMirrors, certsDir: o.certsDir, daemonJson: o.registryConfig, registriesConf: o.registryConfig });
  const services = {
    root, socket, version: VERSION, images, containers, cgroups, engines, registry,
    emitImage: (type: 'image.added' | 'image.removed', id: string, name: string) =>
      server?.broadcast({ type, id, name, time: new Date().toISOString() }),
  };
  server = new HelperServer(services, { socket, group: o.group ?? 'nscope' });
  containers.on('event', (ev: NscopeEvent) => server!.broadcast(ev));
  // rw layers are watched only while someone listens
  const changes = new ChangeEvents(containers, (ev) => server!.broadcast(ev));
  server.onSubscribers = (n) => changes.setActive(n > 0);
  containers.recover();
  await server.listen();
  return {
    server,
    async close() {
      changes.close();
      stopStandby();
      await containers.close();
      await server!.close();
    },
  };
}
