// Cgroup paths: what a caller may name and how an OCI cgroupsPath maps to it.
// A cgroup path is always below a hierarchy root; anything that could climb out
// (`..`) or smuggle another meaning (NUL, newline in a procs write) is refused
// instead of being normalised away, so a typo never lands somewhere unexpected.
import * as path from 'path';
import { invalid } from '../errors';

/**
 * "nscope/abc", "/nscope/abc" and "nscope//abc/" all become "nscope/abc".
 * Rejects "", "/", "..", "." components and control characters.
 */
export function normalizeRel(rel: string, what = 'cgroup path'): string {
  if (typeof rel !== 'string') throw invalid(`${what}: expected a string, got ${typeof rel}`);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(rel)) throw invalid(`${what}: ${JSON.stringify(rel)} contains a control character`);
  const parts = rel.split('/').filter((p) => p !== '');
  if (parts.length === 0) throw invalid(`${what}: ${JSON.stringify(rel)} names the hierarchy root; a container needs its own cgroup`);
  for (const p of parts) {
    if (p === '..' || p === '.') throw invalid(`${what}: ${JSON.stringify(rel)} contains "${p}"; it must stay inside the cgroup hierarchy`);
    if (p.length > 255) throw invalid(`${what}: component "${p.slice(0, 20)}…" is longer than 255 bytes`);
  }
  return parts.join('/');
}

/**
 * Resolves an OCI `linux.cgroupsPath` to a root-relative path.
 *  - absolute ("/foo/bar"): relative to the hierarchy root, as runc does;
 *  - relative ("foo/bar"): below `own`, the caller's cgroup (runc's rule);
 *  - empty/undefined: `<own>/<containerId>`, runc's default.
 * `own` is normally `driver.ownCgroup()`. runc resolves a relative path per v1
 * controller (so on a host where this process sits in /process_api/x for memory
 * only, runc's container lands in different places per hierarchy); nscope uses
 * one path for every hierarchy so a container is always at one `rel`.
 * Systemd-style "slice:prefix:name" paths are not supported (cgroupfs only).
 */
export function resolveCgroupsPath(cgroupsPath: string | undefined, own: string, containerId?: string): string {
  if (cgroupsPath === undefined || cgroupsPath === '') {
    if (!containerId) throw invalid('cgroupsPath: empty, and no container id to default it to');
    return normalizeRel(path.posix.join(own || '/', containerId), 'cgroupsPath');
  }
  if (/^[^/]*:[^/]*:[^/]*$/.test(cgroupsPath)) {
    throw invalid(`cgroupsPath: "${cgroupsPath}" is a systemd slice path; nscope manages cgroups directly (give "/parent/name")`);
  }
  if (cgroupsPath.startsWith('/')) return normalizeRel(cgroupsPath, 'cgroupsPath');
  // Check the relative part on its own first: "../x" must not be allowed to
  // climb out of the caller's cgroup even if the join would stay in the tree.
  const tail = normalizeRel(cgroupsPath, 'cgroupsPath');
  return normalizeRel(path.posix.join(own || '/', tail), 'cgroupsPath');
}
