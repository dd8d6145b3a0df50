// The confinement a container got, read back from its spec: what inspect and
// the extension's Security node show. The spec is what the shim applied, so
// it is the truth of what was asked; the kernel's view (/proc/PID/status)
// is linked from the tree for the running process.
import type { ContainerSecurity, IdRange } from '../protocol';
import type { Spec } from '../runtime/spec';
import { SECCOMP_ANNOTATION } from './security-opts';

export function securityOf(spec: Partial<Spec> | undefined): ContainerSecurity {
  const named = spec?.annotations?.[SECCOMP_ANNOTATION];
  const seccomp = named === 'default' || named === 'custom' || named === 'unconfined' ? named
    : spec?.linux?.seccomp ? 'custom' : 'unconfined';
  const userNs = spec?.linux?.namespaces?.find((n) => n.type === 'user');
  const ranges = (m: IdRange[] | undefined): IdRange[] => (m ?? []).map((r) => ({ containerID: r.containerID, hostID: r.hostID, size: r.size }));
  return {
    capabilities: [...(spec?.process?.capabilities?.effective ?? [])],
    seccomp,
    noNewPrivileges: !!spec?.process?.noNewPrivileges,
    userns: userNs ? { uidMap: ranges(spec?.linux?.uidMappings), gidMap: ranges(spec?.linux?.gidMappings) } : null,
  };
}
