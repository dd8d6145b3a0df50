// `nscope cp`: copies into and out of containers, as tar streams (stream
// kinds `cp-out` and `cp-in`, ./streams.ts).

/** What a copy's source is, as the container sees it (docker's X-Docker-Container-Path-Stat). */
export interface CopyStat {
  /** the base name of the path asked for */
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mode: number;
  mtime: string;
  linkTarget?: string;
}

/** The last line of a `cp-in` stream: the archive is in place, or why not. */
export type CopyInDone = { ok: true } | { error: string; kind?: string };

/**
 * Who the editor's changes to a container's files are made as (`user` of stream
 * kind `file-write` and of file.mkdir / file.delete / file.rename): Docker's -u
 * forms, `name`, `uid`, `name:group`, `uid:gid`, looked up in the container's
 * /etc/passwd and /etc/group. Absent: the container's root, as before.
 */
export const WRITE_AS_MAX = 128;
const WRITE_AS_PART = '[A-Za-z0-9_.][A-Za-z0-9_.@$-]*';
const WRITE_AS = new RegExp(`^${WRITE_AS_PART}(:${WRITE_AS_PART})?$`);

/** Why `user` is not one of those forms (the value named), or undefined when it is one. */
export function writeAsProblem(user: unknown): string | undefined {
  if (typeof user === 'string' && user.length <= WRITE_AS_MAX && WRITE_AS.test(user)) return undefined;
  const shown = typeof user === 'string' ? JSON.stringify(user.length > 64 ? `${user.slice(0, 64)}…` : user) : String(user).slice(0, 64);
  return `user ${shown} is not NAME, UID, NAME:GROUP or UID:GID (letters, digits and . _ - @ $, at most ${WRITE_AS_MAX} characters)`;
}
