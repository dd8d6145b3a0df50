// Networks: each method's params and result (the data: ../types/network.ts; volumes' are in ./volumes.ts).
import type { NetworkDetail, NetworkSummary, PortMapping } from '../types/network';

export interface NetworkMethods {
  /**
   * `driver`: only "bridge"; `options`: Docker's bridge driver options nscope
   * honours (com.docker.network.bridge.name, com.docker.network.driver.mtu,
   * …bridge.enable_ip_masquerade, …bridge.enable_icc), any other refused by name
   */
  'network.create': {
    params: {
      name: string; subnet?: string; gateway?: string; labels?: Record<string, string>;
      driver?: string; internal?: boolean; attachable?: boolean; ipRange?: string; auxAddresses?: Record<string, string>; options?: Record<string, string>;
    };
    result: NetworkSummary;
  };
  'network.list': { params: Record<string, never>; result: NetworkSummary[] };
  'network.inspect': { params: { name: string }; result: NetworkDetail };
  /** refused while a container is attached (the error names it) */
  'network.remove': { params: { name: string }; result: { name: string } };
  /**
   * Removes every user-defined network no container is attached to; `until`
   * (RFC 3339): only those created before; `labels`: each KEY or KEY=VALUE
   * must be on the network, `labelsNot`: none of these may be (Docker's
   * label= and label!= filters)
   */
  'network.prune': { params: { until?: string; labels?: string[]; labelsNot?: string[] }; result: { removed: string[] } };
  /** `ip`: its address on that network (a user-defined one), instead of the next free one */
  'network.connect': { params: { network: string; container: string; aliases?: string[]; ip?: string }; result: { network: string; container: string } };
  'network.disconnect': { params: { network: string; container: string; force?: boolean }; result: { network: string; container: string } };
  /** `nscope port ID`: the container's published ports */
  'container.port': { params: { id: string }; result: PortMapping[] };
}
