// RUN's flags as BuildKit takes them, in one place for the build
// (helper/build/run-mounts.ts) and the language server's diagnostics
// (./check.ts): which keys a --mount takes, its types, --network's and
// --security's values.
export const RUN_FLAGS = ['mount', 'network', 'security'];

export const MOUNT_TYPES = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];

/** every key a --mount may have (target's and source's other names included; a flag alone, e.g. ro, is true) */
export const MOUNT_KEYS = new Set(['type', 'id', 'target', 'dst', 'destination', 'source', 'src', 'from', 'readonly', 'ro', 'rw', 'readwrite', 'sharing', 'mode', 'uid', 'gid', 'required', 'size', 'env']);

export const RUN_NETWORKS = ['default', 'none', 'host'];

/** What is wrong with a --mount value (its keys and type), or undefined; variables in it are not judged. */
export function mountProblem(value: string): string | undefined {
  let type = 'bind';
  let target = false;
  for (const raw of value.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const i = part.indexOf('=');
    const k = (i < 0 ? part : part.slice(0, i)).toLowerCase();
    if (!MOUNT_KEYS.has(k)) return `unknown --mount key "${k}"`;
    if (k === 'type') type = part.slice(i + 1).toLowerCase();
    if (k === 'target' || k === 'dst' || k === 'destination') target = true;
  }
  if (!MOUNT_TYPES.includes(type) && !type.includes('$')) return `--mount type=${type}: ${MOUNT_TYPES.join(', ')}`;
  if (!target && ['bind', 'cache', 'tmpfs'].includes(type)) return `--mount=type=${type}: a target is needed`;
  return undefined;
}
