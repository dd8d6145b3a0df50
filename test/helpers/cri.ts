// Kubernetes' way to a runtime, without Kubernetes: a private containerd with
// its CRI plugin on, a RuntimeClass handler `nscope` (the runc shim v2 with
// BinaryName = bin/nscope-runtime) beside `runc`, and a small CRI client over
// gRPC (@grpc/grpc-js; the messages from test/cri/api-subset.proto, read at
// run time from the checkout, not bundled). Pods use the node's network or a
// bridge of the test's own (Debian's CNI plugins; no iptables rule is made).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PrivateContainerd, RUNTIME } from './containerd';
import { freeTestSubnet, REPO } from './daemon';
import { busyboxImage, makeImageLayout } from './image-layout';

/** The one image of the CRI tests: busybox-static, whose own command is a pause (sleep forever). */
export const CRI_IMAGE = 'nscope.test/busybox:latest';
const PAUSE = ['/bin/busybox', 'sleep', '2147483647'];

/** The RuntimeClass handlers this containerd knows: each its own runtime root. */
export const HANDLERS = ['runc', 'nscope'] as const;
export type Handler = typeof HANDLERS[number];

export class CriContainerd extends PrivateContainerd {
  protected override namespace = 'k8s.io';
  /** The pod network's bridge and subnet, this test's own (removed by removeBridge after stop). */
  readonly bridge = `nst${crypto.randomBytes(5).toString('hex')}`;
  readonly subnet = freeTestSubnet();

  /** The runtime's state root for a handler: the shim passes `--root <Root>/k8s.io`. */
  runtimeRoot(h: Handler): string {
    return path.join(this.dir, `root-${h}`, 'k8s.io');
  }

  /** The handler's runtime binary, as the shim calls it (`state ID` prints the annotations it keeps). */
  runtimeBinary(h: Handler): string {
    return h === 'nscope' ? RUNTIME : '/usr/bin/runc';
  }

  protected override config(): string[] {
    const cri = 'plugins."io.containerd.grpc.v1.cri"';
    const handler = (h: Handler, binary: string) => [
      `[${cri}.containerd.runtimes.${h}]`,
      '  runtime_type = "io.containerd.runc.v2"',
      // the pod's and container's own annotations reach the runtime only where the handler lets them through
      '  pod_annotations = ["nscope.test/*"]',
      '  container_annotations = ["nscope.test/*"]',
      `[${cri}.containerd.runtimes.${h}.options]`,
      `  BinaryName = "${binary}"`,
      `  Root = "${path.join(this.dir, `root-${h}`)}"`,
    ];
    for (const d of ['cni/bin', 'cni/net.d', 'opt']) fs.mkdirSync(path.join(this.dir, d), { recursive: true });
    this.writeCni();
    return [
      ...super.config([]),
      // the opt plugin would make /opt/containerd on the host
      '[plugins."io.containerd.internal.v1.opt"]', `  path = "${path.join(this.dir, 'opt')}"`,
      `[${cri}]`,
      `  sandbox_image = "${CRI_IMAGE}"`,
      // no AppArmor profile loaded host-wide; the stream server (exec/attach over HTTP) on loopback only
      '  disable_apparmor = true',
      // pods' network namespaces pinned under the state dir, not in the host's /var/run/netns
      '  netns_mounts_under_state_dir = true',
      // the pause gets oom_score_adj -998, which needs CAP_SYS_RESOURCE: this project's machines
      // give root none (runc and nscope-runtime both fail "oom_score_adj: Permission denied");
      // containerd's own switch for such hosts keeps it no lower than containerd's
      '  restrict_oom_score_adj = true',
      '  stream_server_address = "127.0.0.1"',
      '  stream_server_port = "0"',
      `[${cri}.cni]`,
      `  bin_dir = "${path.join(this.dir, 'cni/bin')}"`,
      `  conf_dir = "${path.join(this.dir, 'cni/net.d')}"`,
      `[${cri}.containerd]`,
      '  default_runtime_name = "runc"',
      '  snapshotter = "overlayfs"',
      ...HANDLERS.flatMap((h) => handler(h, this.runtimeBinary(h))),
    ];
  }

  /**
   * The pod network (pods with network POD): Debian's CNI plugins linked into a bin dir of
   * the test's own, one bridge conflist with a private bridge name and subnet, addresses kept
   * in the test's dir; no gateway, no masquerading, no port maps: no iptables rule is made.
   */
  private writeCni(): void {
    for (const p of ['bridge', 'host-local', 'loopback']) {
      const link = path.join(this.dir, 'cni/bin', p);
      if (!fs.existsSync(link)) fs.symlinkSync(path.join('/usr/lib/cni', p), link);
    }
    fs.writeFileSync(path.join(this.dir, 'cni/net.d', '10-nscope-cri.conflist'), JSON.stringify({
      cniVersion: '1.0.0',
      name: `nscope-cri-${this.bridge}`,
      plugins: [{
        type: 'bridge', bridge: this.bridge, isGateway: false, ipMasq: false,
        ipam: { type: 'host-local', ranges: [[{ subnet: this.subnet }]], dataDir: path.join(this.dir, 'cni/ipam') },
      }],
    }));
  }

  /** Imports the busybox image into the k8s.io namespace (an OCI archive made here: no registry, no internet). */
  async importImage(): Promise<void> {
    const spec = busyboxImage();
    spec.config = { Cmd: PAUSE };
    const layout = makeImageLayout(path.join(this.dir, 'image'), spec, 'latest');
    const tar = path.join(this.dir, 'image.tar');
    execFileSync('tar', ['-C', layout.dir, '-cf', tar, 'oci-layout', 'index.json', 'blobs']);
    const r = await this.ctr(['images', 'import', '--base-name', CRI_IMAGE.replace(/:.*/, ''), tar]);
    if (r.code !== 0) throw new Error(`ctr images import: ${r.stderr}`);
  }
}

/** The CRI's calls used here, promised; the messages as proto-loader gives them (snake_case, enums as names). */
export interface CriClient {
  runtime(method: string, req: object): Promise<Record<string, any>>;
  image(method: string, req: object): Promise<Record<string, any>>;
  close(): void;
}

export function criClient(socket: string): CriClient {
  const def = protoLoader.loadSync(path.join(REPO, 'test', 'cri', 'api-subset.proto'), { keepCase: true, longs: Number, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as any;
  const v1 = pkg.runtime.v1;
  const rt = new v1.RuntimeService(`unix://${socket}`, grpc.credentials.createInsecure());
  const img = new v1.ImageService(`unix://${socket}`, grpc.credentials.createInsecure());
  const call = (svc: any) => (method: string, req: object) => new Promise<Record<string, any>>((resolve, reject) => {
    svc[method](req, { deadline: Date.now() + 60000 }, (err: grpc.ServiceError | null, res: Record<string, any>) => {
      if (err) reject(new Error(`${method}: ${err.details || err.message}`)); else resolve(res);
    });
  });
  return { runtime: call(rt), image: call(img), close: () => { rt.close(); img.close(); } };
}
