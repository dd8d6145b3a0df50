// Image references as Docker reads them: [REGISTRY/]PATH[:TAG][@DIGEST].
// The first component is the registry only if it looks like a host (has a
// '.' or a ':' or is "localhost"); otherwise the image is on Docker Hub,
// where a one-component path lives under "library/". So `alpine` is
// docker.io/library/alpine:latest and `127.0.0.1:5000/a/b` is a/b:latest on
// that host. A reference that breaks the grammar is "invalid reference
// format", as Docker says, never "not found".
import { invalid } from '../errors';
import { DOCKER_HUB, normalizeRegistry as hostOf } from './names';

export { DOCKER_HUB };

export interface ImageReference {
  /** "docker.io", "127.0.0.1:5000", "[::1]:5000" */
  registry: string;
  /** "library/alpine", "team/app" */
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const HOST = new RegExp(`^(?:${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

function bad(ref: string, why?: string): Error {
  // escaped: a newline in what the user typed must not split the one-line error
  return invalid(`invalid reference format${why ? `: ${why}` : ''}: ${JSON.stringify(ref)}`);
}

/** Parses `ref`; throws "invalid reference format" naming it. */
export function parseReference(ref: string): ImageReference {
  if (typeof ref !== 'string' || ref === '') throw invalid('invalid reference format: empty reference');
  if (ref.length > 512 || /[\s\0]/.test(ref)) throw bad(ref.slice(0, 80));
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(ref, 'a digest is sha256: and 64 lowercase hex digits');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(ref, `invalid tag "${tag}"`);
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0];
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    if (!HOST.test(first)) throw bad(ref, `invalid registry host "${first}"`);
    const port = /:(\d+)$/.exec(first);
    if (port && (Number(port[1]) < 1 || Number(port[1]) > 65535)) throw bad(ref, `invalid port in "${first}"`);
    registry = first === 'index.docker.io' ? DOCKER_HUB : first;
    parts.shift();
  }
  for (const p of parts) {
    if (!COMPONENT.test(p)) {
      if (p.toLowerCase() !== p && COMPONENT.test(p.toLowerCase())) throw bad(ref, 'repository name must be lowercase');
      throw bad(ref);
    }
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (repository.length + registry.length + 1 > 255) throw bad(ref.slice(0, 80), 'repository name must not be longer than 255 characters');
  if (!tag && !digest) tag = 'latest';
  return { registry, repository, tag, digest };
}

/** Whether `s` is a valid tag (a registry's tags list is checked with it). */
export const isTag = (s: unknown): s is string => typeof s === 'string' && TAG.test(s);

/**
 * A reference that names a repository alone, for `--all-tags`: one with a
 * tag or digest is refused in Docker's words. The result has no tag.
 */
export function parseRepositoryOnly(ref: string): ImageReference {
  const r = parseReference(ref);
  // parseReference adds "latest" when none is written: whether one was, is read off the text
  if (ref.includes('@') || ref.lastIndexOf(':') > ref.lastIndexOf('/')) throw invalid("tag can't be used with --all-tags/-a");
  return { registry: r.registry, repository: r.repository };
}

/** The name the store keeps ("alpine:latest", "127.0.0.1:5000/a/b:1"), or undefined for a digest-only reference. */
export function storeName(r: ImageReference): string | undefined {
  if (!r.tag) return undefined;
  return `${familiarRepository(r)}:${r.tag}`;
}

/** "alpine", "user/app", "127.0.0.1:5000/a/b": the repository as Docker prints it. */
export function familiarRepository(r: Pick<ImageReference, 'registry' | 'repository'>): string {
  if (r.registry !== DOCKER_HUB) return `${r.registry}/${r.repository}`;
  return r.repository.startsWith('library/') && r.repository.split('/').length === 2 ? r.repository.slice(8) : r.repository;
}

/** The whole reference in Docker's familiar form: "alpine:latest", "host:5000/a@sha256:…". */
export function formatReference(r: ImageReference): string {
  return `${familiarRepository(r)}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/**
 * The registry a user names in `login` (names.ts reads every spelling: Docker
 * Hub's four, URLs reduced to host[:port]); none is Docker Hub. A bad one is
 * the caller's error, "invalid registry".
 */
export function normalizeRegistry(server: string | undefined): string {
  if (server === undefined || server === '') return DOCKER_HUB;
  if (typeof server !== 'string' || server.length > 300 || server.includes('\0')) throw invalid(`invalid registry "${String(server).slice(0, 80)}"`);
  try {
    return hostOf(server);
  } catch (e) {
    throw invalid(`invalid registry: ${(e as Error).message}`);
  }
}
