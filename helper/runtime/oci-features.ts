// The OCI runtime features document (`runc features`, runtime-spec
// features.md): what this runtime really honours, built from the tables the
// plan and the seccomp encoder use, so it cannot claim more than they do.
import { ARCHES, OPS, SECCOMP_ACTIONS } from '../security/seccomp-oci';
import { ALL_CAPS } from './capabilities';
import { CLONE_FLAGS, MOUNT_OPTIONS } from './plan';
import type { NamespaceType } from './spec';

/** The runtime-spec version nscope-runtime speaks (state's ociVersion, --version's spec). */
export const OCI_VERSION = '1.0.2';

/** The hooks OciRuntime runs (startContainer by the container's init itself: native/shim/hooks.c). */
const HOOKS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];

/** Namespaces the plan refuses to create. */
const NO_NAMESPACE: NamespaceType[] = ['time'];

export interface Features {
  ociVersionMin: string;
  ociVersionMax: string;
  hooks: string[];
  mountOptions: string[];
  linux: {
    namespaces: string[];
    capabilities: string[];
    cgroup: { v1: boolean; v2: boolean; systemd: boolean; systemdUser: boolean };
    seccomp: { enabled: boolean; actions: string[]; operators: string[]; archs: string[] };
    apparmor: { enabled: boolean };
    selinux: { enabled: boolean };
  };
  annotations: Record<string, string>;
}

export function features(version: string): Features {
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: OCI_VERSION,
    hooks: HOOKS,
    mountOptions: Object.keys(MOUNT_OPTIONS).sort(),
    linux: {
      namespaces: (Object.keys(CLONE_FLAGS) as NamespaceType[]).filter((n) => !NO_NAMESPACE.includes(n)).sort(),
      capabilities: [...ALL_CAPS],
      // systemd: no unit is made; --systemd-cgroup only names the cgroup as systemd would
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false },
      seccomp: {
        enabled: true,
        // no seccomp listener: SCMP_ACT_NOTIFY is refused
        actions: [...SECCOMP_ACTIONS].filter((a) => a !== 'SCMP_ACT_NOTIFY').sort(),
        operators: Object.keys(OPS).sort(),
        archs: Object.keys(ARCHES).sort(),
      },
      apparmor: { enabled: false },
      selinux: { enabled: false },
    },
    annotations: { 'io.github.nscope.runtime.version': version },
  };
}
