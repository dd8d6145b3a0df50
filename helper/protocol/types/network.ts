// Networks (CNI bridge networks the helper keeps) and what a container gets
// from one: its address, its veth, its published ports.

export interface PortMapping {
  /** the host address it listens on ("" or absent: every address) */
  hostIp?: string;
  hostPort: number;
  /** -p 8000-8010:80: the range's last port; the first free port of hostPort..hostPortEnd is taken at start */
  hostPortEnd?: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface NetworkSummary {
  name: string;
  /** sha256-like id (64 hex) */
  id: string;
  driver: 'bridge';
  /** CIDR, e.g. "10.88.0.0/16" */
  subnet: string;
  gateway: string;
  /** the host's bridge interface, e.g. "nscope0" */
  bridge: string;
  created: string;
  /** the default network `--network bridge` means (named "nscope") */
  isDefault: boolean;
  /** ids of the containers attached now */
  containers: string[];
  // what `network create` was given (optional: a helper from before them sends none)
  labels?: Record<string, string>;
  /** --internal: no way out of the subnet (no default route, no masquerading, isolation rules) */
  internal?: boolean;
  attachable?: boolean;
  /** --ip-range: the CIDR containers' addresses come from */
  ipRange?: string;
  /** --aux-address: NAME to an address never handed out */
  auxAddresses?: Record<string, string>;
  /** -o: Docker's bridge driver options, as given */
  options?: Record<string, string>;
}

export interface NetworkEndpoint {
  container: string;
  containerName: string;
  /** the container's interface ("eth0") and address in CIDR form */
  ifname: string;
  address: string;
  mac?: string;
  /** the host side of the veth pair */
  hostVeth?: string;
}

export interface NetworkDetail extends NetworkSummary {
  /** the CNI network configuration list the helper runs the plugins with */
  conflist: unknown;
  endpoints: NetworkEndpoint[];
}

/** One network of a running container (ContainerDetail.networks). */
export interface ContainerNetwork {
  network: string;
  ifname: string;
  /** "10.88.0.5/16" */
  address: string;
  gateway?: string;
  mac?: string;
  hostVeth?: string;
  bridge?: string;
  /** names other containers on the network resolve to it by */
  aliases: string[];
  /** run --ip: the address asked for (Docker's IPAMConfig.IPv4Address) */
  requestedIp?: string;
}
