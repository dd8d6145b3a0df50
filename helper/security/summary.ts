// The confinement a container got, read back from its spec: what inspect and
// the extension's Security node show. The spec is what the shim applied, so
// it is the truth of what was asked; what the kernel says of the running
// process is read by live.ts and shown next to it.
import type { ContainerSecurity, IdRange } from '../protocol/types';
import type { Spec } from '../runtime/spec';
import { PRIVILEGED_ANNOTATION, SECCOMP_ANNOTATION } from './security-opts';

export function securityOf(spec: Partial<Spec> | undefined): ContainerSecurity {
  const named = spec?.annotations?.[SECCOMP_ANNOTATION];
  const filter = spec?.linux?.seccomp;
  const seccomp = named === 'default' || named === 'custom' || named === 'unconfined' ? named
    : filter ? 'custom' : 'unconfined';
  const userNs = spec?.linux?.namespaces?.find((n) => n.type === 'user');
  const ranges = (m: IdRange[] | undefined): IdRange[] => (m ?? []).map((r) => ({ containerID: r.containerID, hostID: r.hostID, size: r.size }));
  return {
    capabilities: [...(spec?.process?.capabilities?.effective ?? [])],
    seccomp,
    seccompRules: filter ? { defaultAction: filter.defaultAction, syscalls: (filter.syscalls ?? []).reduce((n, s) => n + (s.names?.length ?? 0), 0) } : null,
    noNewPrivileges: !!spec?.process?.noNewPrivileges,
    privileged: spec?.annotations?.[PRIVILEGED_ANNOTATION] === 'true',
    userns: userNs ? { uidMap: ranges(spec?.linux?.uidMappings), gidMap: ranges(spec?.linux?.gidMappings) } : null,
  };
}
