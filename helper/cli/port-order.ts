// The order Docker's CLI prints a container's published ports in (`port`,
// `ps`'s PORTS): by the container's port as a number, then protocol, then the
// host side, whatever order they were asked for in (`-p 8080:80 -p 53:53/udp`
// lists 53/udp first, 7000 after 80).
import type { PortMapping } from '../protocol';

const ipKey = (ip: string | undefined) => (ip || '0.0.0.0').split('.').map((n) => n.padStart(3, '0')).join('.');

export function byContainerPort(ports: PortMapping[]): PortMapping[] {
  return [...ports].sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol)
    || ipKey(a.hostIp).localeCompare(ipKey(b.hostIp)) || Number(a.hostPort) - Number(b.hostPort));
}
