// Image references as the user types them ("alpine:3.19",
// "127.0.0.1:5000/team/app:1.0", "app@sha256:…"): which registry they name,
// so the client can look up its credentials, and an early word on input
// that cannot be a reference. The helper parses them for real; this only
// spares a round trip for the obvious mistakes. No vscode here (unit-tested).

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

export const DOCKER_HUB = 'docker.io';

/**
 * Docker's rule: the first path component is a registry host when there is
 * a '/' after it and it has a '.' or a ':', is "localhost", or has capitals
 * (repositories cannot). Anything else is on Docker Hub.
 */
function splitHost(ref: string): { host?: string; path: string } {
  const slash = ref.indexOf('/');
  if (slash < 0) return { path: ref };
  const first = ref.slice(0, slash);
  if (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first) return { path: ref };
  return { host: first, path: ref.slice(slash + 1) };
}

/** The registry a reference pulls from or pushes to: "docker.io", "127.0.0.1:5000", "ghcr.io". */
export function registryOf(ref: string): string {
  const { host } = splitHost(ref.trim());
  // Docker's legacy name for the Hub is the same registry, and its credentials are kept under one name
  return !host || host === 'index.docker.io' ? DOCKER_HUB : host;
}

/**
 * Why `input` is not a reference, or undefined when it may be one.
 * `digest: false` for a push destination, which is a name[:tag].
 */
export function referenceProblem(input: string, opts: { digest?: boolean } = {}): string | undefined {
  const ref = input.trim();
  if (!ref) return 'a reference such as alpine:3.19 or 127.0.0.1:5000/team/app:1.0';
  if (/\s/.test(ref)) return 'a reference has no spaces';
  if (/^[a-z]+:\/\//i.test(ref)) return 'a reference, not a URL: leave out the scheme (https://)';
  const at = ref.indexOf('@');
  const named = at < 0 ? ref : ref.slice(0, at);
  if (at >= 0) {
    if (opts.digest === false) return 'a name[:tag] to push to, without a digest';
    if (!DIGEST.test(ref.slice(at + 1))) return `"${ref.slice(at + 1)}" is not a digest (sha256:<64 hex>)`;
  }
  const { host, path } = splitHost(named);
  if (host !== undefined && !HOST.test(host)) return `"${host}" is not a registry host[:port]`;
  // a ':' after the last '/' starts the tag (a registry's port is before it)
  const colon = path.lastIndexOf(':');
  const repo = colon > path.lastIndexOf('/') ? path.slice(0, colon) : path;
  const tag = colon > path.lastIndexOf('/') ? path.slice(colon + 1) : undefined;
  if (!repo) return 'the repository is missing';
  for (const c of repo.split('/')) {
    if (!c) return 'an empty path component (//, or a / at the start or end)';
    if (c.toLowerCase() !== c) return `repository names are lower case ("${c}")`;
    if (!COMPONENT.test(c)) return `"${c}": lower-case letters, digits and . _ - between them only`;
  }
  if (tag !== undefined && !TAG.test(tag)) return `"${tag}" is not a tag (letters, digits, _ . -; at most 128)`;
  return undefined;
}
