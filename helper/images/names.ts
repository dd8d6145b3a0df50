// Image references: "name[:tag]" normalized to "name:tag" (tag "latest" by
// default), Docker's grammar for the name part. Docker Hub's implicit
// "docker.io/library/" prefix is dropped so that `busybox`, `busybox:latest`
// and `docker.io/library/busybox:latest` (as containerd writes it) are one name.
import { invalid } from '../errors';

// one path component: lowercase alphanumerics joined by '.', '_', '__' or dashes
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
// an optional registry host ("localhost:5000/", "example.com/") before the path
const HOST = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?';
const NAME_RE = new RegExp(`^${HOST}${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;

export const UNNAMED = '<none>:<none>';

/** Splits "name[:tag]" at the last ':' after the last '/' (a registry port is not a tag). */
function split(ref: string): { name: string; tag?: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref };
}

function familiar(name: string): string {
  for (const p of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (name.startsWith(p)) return name.slice(p.length);
  }
  return name;
}

/**
 * A container's image as `docker ps` shows it: an ID cut to 12 digits, else
 * the Hub's prefix dropped and a digest cut off (a tag kept as given, none added).
 */
export function shortImageRef(ref: string): string {
  const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
  if (/^[0-9a-f]{64}$/.test(hex)) return hex.slice(0, 12);
  const at = ref.indexOf('@');
  const { name, tag } = split(at < 0 ? ref : ref.slice(0, at));
  return familiar(name) + (tag !== undefined ? `:${tag}` : '');
}

/** A name as the error shows it: quoted and escaped (a newline in it must not split the one-line error), cut when long. */
export function quoteName(s: string): string {
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}

/** "Busybox" is refused; "busybox" -> "busybox:latest"; throws naming `what` on a bad reference. */
export function normalizeName(ref: string, what = 'image name'): string {
  if (typeof ref !== 'string' || !ref) throw invalid(`${what}: empty`);
  if (ref.includes('@')) throw invalid(`${what} ${quoteName(ref)}: digests cannot be used as names`);
  const { name, tag } = split(ref);
  if (name.length > 255 || !NAME_RE.test(name)) throw invalid(`${what} ${quoteName(ref)}: invalid reference format (lowercase letters, digits, '.', '_', '-' and '/' only)`);
  if (tag !== undefined && !TAG_RE.test(tag)) throw invalid(`${what} ${quoteName(ref)}: invalid tag ${quoteName(tag)}`);
  return `${familiar(name)}:${tag ?? 'latest'}`;
}

/** Like normalizeName but returns undefined instead of throwing (for names found inside archives). */
export function tryNormalizeName(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  try { return normalizeName(ref); } catch { return undefined; }
}

/** An image ID given by the user: "sha256:<64 hex>", 64 hex, or a prefix of at least 4 hex digits. */
export function idPrefix(ref: string): string | undefined {
  const m = /^(?:sha256:)?([0-9a-f]{4,64})$/.exec(ref);
  return m ? m[1] : undefined;
}
