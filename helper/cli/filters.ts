// --filter KEY=VALUE for ps and images, with Docker's rules: values of one
// key are alternatives (name=a --filter name=b: either), different keys must
// all match; an unknown key or a value of the wrong form is refused before
// anything is listed.
import { labelMatch } from '../lib/label-filter';
import type { ContainerSummary, ImageSummaryInfo, VolumeSummary } from '../protocol';
import { FlagError, UsageError } from './args';

export type Filters = Map<string, string[]>;

export const CONTAINER_FILTERS = ['id', 'name', 'label', 'status', 'health', 'ancestor', 'exited', 'before', 'since'] as const;
export const IMAGE_FILTERS = ['dangling', 'reference', 'before', 'since'] as const;
export const EVENT_FILTERS = ['container', 'event', 'type', 'label', 'image'] as const;
export const VOLUME_FILTERS = ['dangling', 'driver', 'label', 'name'] as const;
/** Docker's container states; `paused` is a running container whose cgroup is frozen */
const STATES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
/** Docker's health filter values; `none`: no health check (or not running) */
const HEALTH = ['starting', 'healthy', 'unhealthy', 'none'];

export function parseFilters(values: string[] | undefined, allowed: readonly string[]): Filters {
  const out: Filters = new Map();
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new FlagError(`bad format of filter "${v}" (expected name=value)`);
    const key = v.slice(0, eq).trim().toLowerCase();
    const value = v.slice(eq + 1);
    if (!allowed.includes(key)) throw new UsageError(`invalid filter '${key}' (one of: ${allowed.join(', ')})`);
    if (key === 'status' && !STATES.includes(value)) throw new UsageError(`invalid filter 'status=${value}': one of ${STATES.join(', ')}`);
    if (key === 'health' && !HEALTH.includes(value)) throw new UsageError(`Unrecognised filter value for health: ${value}`);
    if (key === 'exited' && !/^-?\d+$/.test(value)) throw new UsageError(`invalid filter 'exited=${value}': an exit code`);
    if (key === 'dangling' && !['true', 'false', '1', '0'].includes(value.toLowerCase())) throw new UsageError(`invalid filter 'dangling=${value}': true or false`);
    const list = out.get(key) ?? [];
    list.push(value);
    out.set(key, list);
  }
  return out;
}

/** Go's path.Match: `*` any run of characters but `/`, `?` one, `[…]` a class; the whole string must match. */
export function globMatch(pattern: string, s: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = pattern.indexOf(']', i + 1);
      if (j < 0) return false;
      re += '[' + pattern.slice(i + 1, j).replace(/^\^/, '^').replace(/\\/g, '\\\\') + ']';
      i = j;
    } else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try { return new RegExp(re + '$').test(s); } catch { return false; }
}

/** Docker's name filter: a regular expression, unanchored (a bad one as a plain substring). */
function nameMatch(want: string, name: string): boolean {
  try { return new RegExp(want).test(name); } catch { return name.includes(want); }
}

/** Docker's container state word: "paused" while frozen, "restarting" while its restart policy's back-off runs, else its status. */
export const containerState = (c: ContainerSummary): string => (c.status === 'running' && c.paused ? 'paused' : c.restarting ? 'restarting' : c.status);

/** What `ps` lists without -a: running containers, and (as Docker, whose restarting ones count as running) those about to run again. */
export const listedWithoutAll = (c: ContainerSummary): boolean => c.status === 'running' || !!c.restarting;

/** An image reference as `ancestor=` names it: name[:tag], or an id (prefix, with or without sha256:). */
function imageMatch(want: string, image: string, imageId: string): boolean {
  const id = imageId.replace(/^sha256:/, '');
  const w = want.replace(/^sha256:/, '');
  if (/^[0-9a-f]{4,64}$/.test(w) && id.startsWith(w)) return true;
  const withTag = (n: string) => (/:[^/]+$/.test(n) ? n : `${n}:latest`);
  return withTag(image) === withTag(want);
}

/**
 * The containers `ps --filter` keeps. `all`: every container was listed (the
 * caller asked with -a or a filter implies it); `before`/`since` name a container of the list.
 */
export function filterContainers(list: ContainerSummary[], f: Filters): ContainerSummary[] {
  const any = (key: string, test: (v: string) => boolean) => !f.has(key) || f.get(key)!.some(test);
  const byRef = (ref: string) => list.find((c) => c.id === ref || c.name === ref || (ref.length >= 3 && c.id.startsWith(ref)));
  const created = (key: string) => f.get(key)?.map((ref) => {
    const c = byRef(ref);
    if (!c) throw new UsageError(`--filter ${key}: no such container: ${ref}`);
    return c.created;
  });
  const before = created('before');
  const since = created('since');
  return list.filter((c) =>
    any('id', (v) => c.id.startsWith(v))
    && any('name', (v) => nameMatch(v, c.name))
    && (!f.has('label') || f.get('label')!.every((v) => labelMatch(v, c.labels)))
    && any('status', (v) => containerState(c) === v)
    && any('health', (v) => (c.health ?? 'none') === v)
    && any('ancestor', (v) => imageMatch(v, c.image, c.imageId))
    && any('exited', (v) => c.status === 'exited' && c.exitCode === Number(v))
    && (!before || before.every((t) => c.created < t))
    && (!since || since.every((t) => c.created > t)));
}

/** The images `images --filter` keeps; `dangling`: an image without a name. */
export function filterImages(list: ImageSummaryInfo[], f: Filters): ImageSummaryInfo[] {
  const any = (key: string, test: (v: string) => boolean) => !f.has(key) || f.get(key)!.some(test);
  const createdOf = (key: string) => f.get(key)?.map((ref) => {
    const i = list.find((x) => x.name === ref || x.name === `${ref}:latest` || x.id.replace(/^sha256:/, '').startsWith(ref.replace(/^sha256:/, '')));
    if (!i) throw new UsageError(`--filter ${key}: no such image: ${ref}`);
    return i.created ?? '';
  });
  const before = createdOf('before');
  const since = createdOf('since');
  return list.filter((i) => {
    const dangling = i.name === '<none>:<none>';
    const k = i.name.lastIndexOf(':');
    const repo = i.name.slice(0, k);
    return any('dangling', (v) => ['true', '1'].includes(v.toLowerCase()) === dangling)
      // reference=PATTERN: against "repo" and "repo:tag", as Docker matches it
      && any('reference', (v) => !dangling && (globMatch(v, repo) || globMatch(v, i.name)))
      && (!before || before.every((t) => (i.created ?? '') < t))
      && (!since || since.every((t) => (i.created ?? '') > t));
  });
}

/**
 * The volumes `volume ls --filter` keeps: dangling (no container uses it),
 * driver (exact), label (every one must match), name (as ps's).
 */
export function filterVolumes(list: VolumeSummary[], f: Filters): VolumeSummary[] {
  const any = (key: string, test: (v: string) => boolean) => !f.has(key) || f.get(key)!.some(test);
  return list.filter((v) =>
    any('dangling', (x) => ['true', '1'].includes(x.toLowerCase()) === !v.users.length)
    && any('driver', (x) => x === v.driver)
    && (!f.has('label') || f.get('label')!.every((x) => labelMatch(x, v.labels)))
    && any('name', (x) => nameMatch(x, v.name)));
}
