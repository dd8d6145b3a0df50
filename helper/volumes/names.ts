// Volume names as Docker's local driver accepts them, and the 64-hex names
// anonymous volumes get.
import { randomBytes } from 'crypto';
import { invalid } from '../errors';

/** Docker's rule: at least two characters, the first alphanumeric; nothing that could be a path. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** Longer names would not fit a path component (255) with room for temp suffixes. */
const MAX_NAME = 200;

export function isVolumeName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_NAME && NAME.test(name);
}

/** `what` prefixes the message, e.g. "-v" or "volume create". */
export function checkVolumeName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !name) throw invalid(`${what}: a volume name is required`);
  if (name.length > MAX_NAME) throw invalid(`${what}: volume name too long (${name.length} characters, at most ${MAX_NAME})`);
  // Docker's words for a one-character name that would otherwise be valid ("-v a:/data")
  if (/^[a-zA-Z0-9]$/.test(name)) throw invalid(`${what}: volume name is too short, names should be at least two alphanumeric characters`);
  if (!NAME.test(name)) {
    throw invalid(`${what}: "${name.slice(0, 80)}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
  return name;
}

export function anonymousVolumeName(): string {
  return randomBytes(32).toString('hex');
}

/** Labels from a client: string keys and values, a bounded number of them. */
export function checkLabels(labels: unknown, what: string): Record<string, string> {
  if (labels === undefined || labels === null) return {};
  if (typeof labels !== 'object' || Array.isArray(labels)) throw invalid(`${what}: labels must be an object of strings`);
  const out: Record<string, string> = {};
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length > 256) throw invalid(`${what}: too many labels (${entries.length}, at most 256)`);
  for (const [k, v] of entries) {
    if (!k || typeof v !== 'string' || k.length > 1024 || v.length > 4096 || k.includes('\0') || v.includes('\0')) {
      throw invalid(`${what}: label "${k.slice(0, 64)}" must be a non-empty key with a string value`);
    }
    out[k] = v;
  }
  return out;
}
