// Docker's `--security-opt` values, and what they do to a container's spec:
// the seccomp profile (nscope's default, the user's own, or none) resolved
// against the capabilities the container ends up with, and no_new_privs.
import { invalid } from '../errors';
import type { Spec } from '../runtime/spec';
import { parseProfile, resolvedDefault, resolveProfile } from './seccomp-profile';

/** The annotation that names the profile a container got: default, unconfined or custom. */
export const SECCOMP_ANNOTATION = 'org.nscope.seccomp';
/** Set to "true" on a --privileged container: the spec alone cannot tell it from --cap-add ALL. */
export const PRIVILEGED_ANNOTATION = 'org.nscope.privileged';

export interface SecurityOpts {
  /** undefined: nscope's default profile */
  seccomp?: 'unconfined' | { text: string };
  noNewPrivileges?: boolean;
}

export function parseSecurityOpts(values: string[] | undefined): SecurityOpts {
  const out: SecurityOpts = {};
  for (const v of values ?? []) {
    if (typeof v !== 'string') throw invalid('--security-opt: values must be strings');
    // Docker accepts both KEY=VALUE and the old KEY:VALUE
    const m = /^([a-z-]+)(?:[=:]([\s\S]*))?$/.exec(v);
    const key = m?.[1];
    const value = m?.[2];
    if (key === 'seccomp') {
      if (!value) throw invalid('--security-opt seccomp: needs a profile (a JSON file) or "unconfined"');
      out.seccomp = value === 'unconfined' ? 'unconfined' : { text: value };
    } else if (key === 'no-new-privileges') {
      if (value !== undefined && value !== 'true' && value !== 'false') throw invalid(`--security-opt no-new-privileges: "${value.slice(0, 20)}" is not true or false`);
      out.noNewPrivileges = value !== 'false';
    } else if (key === 'apparmor' || key === 'label') {
      throw invalid(`--security-opt ${key}: not supported by nscope (no AppArmor or SELinux support)`);
    } else {
      throw invalid(`--security-opt: "${v.slice(0, 60)}" is not seccomp=PROFILE|unconfined or no-new-privileges`);
    }
  }
  return out;
}

/**
 * Sets `linux.seccomp` (and no_new_privs) on a spec whose capabilities are
 * final. A privileged container runs unconfined, as with Docker.
 */
export function applySecurity(spec: Spec, sec: SecurityOpts, privileged: boolean): void {
  if (sec.noNewPrivileges !== undefined) spec.process.noNewPrivileges = sec.noNewPrivileges;
  spec.annotations ??= {};
  // set or removed here, after the user's labels: a label cannot claim or hide it
  if (privileged) spec.annotations[PRIVILEGED_ANNOTATION] = 'true';
  else delete spec.annotations[PRIVILEGED_ANNOTATION];
  if (sec.seccomp === 'unconfined' || (privileged && !sec.seccomp)) {
    delete spec.linux!.seccomp;
    spec.annotations[SECCOMP_ANNOTATION] = 'unconfined';
    return;
  }
  const ctx = { capabilities: spec.process.capabilities?.bounding ?? [] };
  // the default is shared (frozen) by every container with the same capabilities
  spec.linux!.seccomp = sec.seccomp ? resolveProfile(parseProfile(sec.seccomp.text), ctx) : resolvedDefault(ctx);
  spec.annotations[SECCOMP_ANNOTATION] = sec.seccomp ? 'custom' : 'default';
}
