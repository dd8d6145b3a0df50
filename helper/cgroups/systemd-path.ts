// runc's --systemd-cgroup takes cgroupsPath as "slice:prefix:name" (e.g.
// "system.slice:docker:<id>", what containerd and Podman pass with the
// systemd cgroup driver). nscope has no systemd driver; it creates the
// cgroup itself where systemd's would be, so the container sits at the same
// place in the tree: /system.slice/docker-<id>.scope.
import { invalid } from '../errors';

/** systemd's slice nesting: "a-b-c.slice" is /a.slice/a-b.slice/a-b-c.slice; "-.slice" is the root. */
export function expandSlice(slice: string): string {
  if (slice.length <= '.slice'.length || !slice.endsWith('.slice') || slice.includes('/')) {
    throw invalid(`cgroupsPath: invalid slice name "${slice}" (a systemd slice is NAME.slice, without "/")`);
  }
  const name = slice.slice(0, -'.slice'.length);
  if (name === '-') return '/';
  let out = '';
  let prefix = '';
  for (const part of name.split('-')) {
    if (part === '') throw invalid(`cgroupsPath: invalid slice name "${slice}" (empty component between "-")`);
    out += `/${prefix}${part}.slice`;
    prefix += `${part}-`;
  }
  return out;
}

/**
 * The cgroupfs path of a systemd cgroupsPath, as runc's systemd driver names
 * its unit: an empty one is runc's default "system.slice:<prefix>:<id>".
 */
export function systemdCgroupsPath(cgroupsPath: string | undefined, containerId: string, defaultPrefix = 'nscope-runtime'): string {
  const given = cgroupsPath ?? '';
  const parts = given === '' ? ['', defaultPrefix, containerId] : given.split(':');
  if (parts.length !== 3) {
    throw invalid(`cgroupsPath: expected "slice:prefix:name" with --systemd-cgroup (e.g. "system.slice:docker:abc"), got "${given}"`);
  }
  const [slice, prefix, name] = parts;
  if (name === '' || name.includes('/')) throw invalid(`cgroupsPath: "${given}": the name part must be non-empty and without "/"`);
  if (prefix.includes('/')) throw invalid(`cgroupsPath: "${given}": the prefix part must not contain "/"`);
  // a name that is itself a slice is the unit; anything else a scope named
  // exactly as runc does (an empty prefix too gives "-NAME.scope")
  const unit = name.endsWith('.slice') ? name : `${prefix}-${name}.scope`;
  const parent = expandSlice(slice || 'system.slice');
  return `${parent === '/' ? '' : parent}/${unit}`;
}
