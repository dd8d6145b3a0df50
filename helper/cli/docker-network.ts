// `nscope network inspect` as `docker network inspect` prints it: the same
// keys in the same places (IPAM.Config[0].Subnet, Internal, Containers, …),
// so `-f '{{…}}'` templates written for Docker work unchanged. What only
// nscope knows (the bridge, the CNI configuration list, each endpoint's
// interface and host veth) stays whole under `Nscope`, the helper's own
// document, as `nscope inspect` keeps a container's.
import { createHash } from 'crypto';
import type { NetworkDetail } from '../protocol';
import { goMap, goStringMap } from '../lib/go-template';

/**
 * An endpoint has no id of its own here (CNI keeps none): one made from the
 * network's and the container's ids and the interface, the same every time
 * it is asked for, 64 hex as Docker's.
 */
const endpointId = (network: string, container: string, ifname: string) => createHash('sha256').update(`${network}/${container}/${ifname}`).digest('hex');

export function dockerNetwork(n: NetworkDetail) {
  // Docker's default network shows its bridge's name among its options; a user network the -o it was given
  const options = n.isDefault ? { 'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.name': n.bridge } : (n.options ?? {});
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Options: null,
      // Docker's IPAMConfig leaves the unset ones out (omitempty)
      Config: [{
        Subnet: n.subnet,
        ...(n.ipRange ? { IPRange: n.ipRange } : {}),
        Gateway: n.gateway,
        ...(n.auxAddresses && Object.keys(n.auxAddresses).length ? { AuxiliaryAddresses: goMap({ ...n.auxAddresses }) } : {}),
      }],
    },
    Internal: !!n.internal,
    Attachable: !!n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: goMap(Object.fromEntries(n.endpoints.map((e) => [e.container, {
      Name: e.containerName,
      EndpointID: endpointId(n.id, e.container, e.ifname),
      MacAddress: e.mac ?? '',
      IPv4Address: e.address,
      IPv6Address: '',
    }]))),
    Options: goStringMap({ ...options }),
    Labels: goStringMap({ ...(n.labels ?? {}) }),
    Nscope: n,
  };
}
