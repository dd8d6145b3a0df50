// Registry names as users and files write them, reduced to one host string.
// Docker Hub has four spellings ("docker.io", "index.docker.io",
// "registry-1.docker.io", and the v1 URL "https://index.docker.io/v1/" that
// Docker keys its credentials by); every other registry is "host[:port]",
// sometimes written as a URL ("https://host:5000/").

export const DOCKER_HUB = 'docker.io';
/** The key Docker's config.json keeps Docker Hub's credentials under (and the ServerURL its credential helpers get). */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * "docker.io" for Docker Hub, else "host[:port]" (lower case; IPv6 in
 * brackets). A scheme and a path are dropped, as Docker's login does; a
 * user name, spaces or an empty host are errors naming the input.
 */
export function normalizeRegistry(input: string): string {
  let s = input.trim();
  if (s === '') throw new Error('registry name is empty');
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, (scheme) => {
    if (!/^https?:\/\/$/i.test(scheme)) throw new Error(`registry "${input}": only http:// and https:// addresses are registries`);
    return '';
  });
  const slash = s.indexOf('/');
  if (slash >= 0) s = s.slice(0, slash);
  checkHost(s, input);
  s = s.toLowerCase();
  return HUB_ALIASES.has(s) ? DOCKER_HUB : s;
}

/** Like normalizeRegistry, but for keys read from a file: undefined where the key is no registry at all. */
export function registryOfKey(key: string): string | undefined {
  try { return normalizeRegistry(key); } catch { return undefined; }
}

/** True for a key that names a repository within a registry (auth.json's "quay.io/org"), not the registry itself. */
export function isScopedKey(key: string): boolean {
  return !/^https?:\/\//i.test(key) && key.includes('/') && key.indexOf('/') < key.length - 1;
}

/** The ServerURL a credential helper, and the key config.json, use for `registry`. */
export function credentialKey(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_KEY : registry;
}

/** Throws unless `host` is "name[:port]" or "[ipv6][:port]". */
export function checkHost(host: string, input = host): void {
  const what = `registry "${input}"`;
  if (host === '') throw new Error(`${what}: no host name`);
  if (/\s/.test(host)) throw new Error(`${what}: a host name has no spaces`);
  if (host.includes('@')) throw new Error(`${what}: user names do not belong in a registry address (use nscope login)`);
  if (/[/?#]/.test(host)) throw new Error(`${what}: a registry address is host[:port], without a path`);
  const m = /^(\[[0-9a-fA-F:.]+(?:%[\w.-]+)?\]|[A-Za-z0-9._-]+)(?::(\d+))?$/.exec(host);
  if (!m) {
    if ((host.match(/:/g) ?? []).length > 1 && !host.startsWith('[')) throw new Error(`${what}: an IPv6 address goes in brackets, e.g. [::1]:5000`);
    throw new Error(`${what}: not host[:port]`);
  }
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) throw new Error(`${what}: port ${m[2]} is out of range`);
}

/** "host:5000" → { hostname: "host", port: 5000 }; "[::1]" → { hostname: "::1" }. */
export function splitHost(host: string): { hostname: string; port?: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(host);
  if (!m) throw new Error(`registry "${host}": not host[:port]`);
  return { hostname: m[1] ?? m[2], port: m[3] === undefined ? undefined : Number(m[3]) };
}
