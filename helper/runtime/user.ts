// Docker's -u forms (USER[:GROUP], names or numbers) resolved against a
// container's passwd and group files, as runc's GetExecUser does: a name must
// be in passwd, a numeric uid need not be (its gid is then the one given, or
// 0); its gid and, without an explicit GROUP, the groups that list the user
// are its supplementary ones. The files come
// from the caller: an image's layers (`run`, `exec`: ./options.ts) or the
// container's own /etc as the files worker reads it chrooted (../files/worker.ts).
import { invalid, type NscopeError } from '../errors';

export interface ResolvedUser { uid: number; gid: number; additionalGids: number[] }

/** The text of the container's /etc/passwd and /etc/group (null: absent). */
export interface UserFiles { passwd: string | null; group: string | null }

/** The error for a name that is in neither file: Docker's words unless the caller has its own. */
export type UnknownId = (kind: 'user' | 'group', name: string) => NscopeError;

/** A name as an error shows it: as it is, or quoted when it holds a control character (the error stays one line). */
export const shownName = (name: string) => (/[\x00-\x1f\x7f]/.test(name) ? JSON.stringify(name) : name);

const dockerWords: UnknownId = (kind, name) => invalid(`unable to find ${kind} ${shownName(name)}: no matching entries in ${kind === 'user' ? 'passwd' : 'group'} file`);

/**
 * The process's environment with HOME added where it has none, as runc adds it
 * for Docker's containers and execs: the user's home in the container's
 * passwd, "/" for a uid without an entry. Added to the process only (Docker's
 * Config.Env has no HOME of its own either).
 */
export function withHome(env: string[], uid: number, passwd: string | null): string[] {
  if (env.some((e) => e.startsWith('HOME='))) return env;
  const entry = (passwd ?? '').split('\n').map((l) => l.split(':')).find((f) => f.length >= 6 && f[2] === String(uid) && f[5]);
  return [...env, `HOME=${entry ? entry[5] : '/'}`];
}

/** `spec` (USER[:GROUP]) -> uid, gid and supplementary groups from `files`; `flag` names the option in a refusal. */
export function resolveUserFrom(spec: string, files: UserFiles, unknown: UnknownId = dockerWords, flag = '--user'): ResolvedUser {
  const [u, g] = spec.split(':', 2);
  if (!u || spec.includes('\0')) throw invalid(`${flag}: "${spec}" is not USER[:GROUP]`);
  const passwd = (files.passwd ?? '').split('\n').map((l) => l.split(':'));
  const groups = (files.group ?? '').split('\n').map((l) => l.split(':'));
  const num = (s: string) => /^\d+$/.test(s) ? Number(s) : NaN;
  let uid = num(u);
  let gid = NaN;
  let userName: string | undefined;
  const entry = passwd.find((p) => p.length >= 4 && (p[0] === u || (!isNaN(uid) && Number(p[2]) === uid)));
  if (isNaN(uid)) {
    if (!entry) throw unknown('user', u);
    uid = Number(entry[2]);
  }
  if (entry) { gid = Number(entry[3]); userName = entry[0]; }
  if (g !== undefined) {
    gid = num(g);
    if (isNaN(gid)) {
      const ge = groups.find((x) => x[0] === g);
      if (!ge) throw unknown('group', g);
      gid = Number(ge[2]);
    }
  }
  if (isNaN(gid)) gid = 0;
  if (uid > 0xfffffffe || gid > 0xfffffffe) throw invalid(`${flag}: ${spec}: id out of range`);
  // The groups that list the user count only when no group was given (runc's GetExecUser: "supplementary
  // group ids only make sense in the implicit form"); the primary gid is always one of them, as Docker
  // (since 20.10.18, CVE-2022-36109) and containerd put it in AdditionalGids: `id` shows groups=GID too.
  const listed = userName && g === undefined
    ? groups.filter((x) => x.length >= 4 && x[3].split(',').includes(userName!)).map((x) => Number(x[2])).filter((n) => n !== gid && Number.isInteger(n))
    : [];
  return { uid, gid, additionalGids: [gid, ...new Set(listed)] };
}
