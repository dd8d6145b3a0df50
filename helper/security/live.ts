// The confinement the kernel reports for a running container's process:
// /proc/PID/status (CapEff, Seccomp, Seccomp_filters, NoNewPrivs) and its
// user namespace (ns/user, uid_map, gid_map). The spec says what was asked;
// this says what the process has — they differ when, say, the host itself
// lacks a capability that --privileged asks for, or a mapping was refused.
import * as fs from 'fs';
import { NscopeError } from '../errors';
import type { IdRange, LiveSecurity, SeccompMode } from '../protocol/types';
import { capNames } from '../runtime/capabilities';
import { parseIdMap } from '../lib/idmap';

const gone = (e: unknown) => ['ENOENT', 'ESRCH'].includes((e as NodeJS.ErrnoException).code ?? '');
const failed = (pid: number, what: string) => new NscopeError('failed', `/proc/${pid}/${what}`);

/** The field `key:` of a /proc/PID/status text, or undefined when this kernel does not print it. */
function field(status: string, key: string): string | undefined {
  return status.match(new RegExp(`^${key}:\\s*(.*)$`, 'm'))?.[1].trim();
}

function parseMap(text: string, pid: number, file: string): IdRange[] {
  try { return parseIdMap(text); } catch (e) { throw failed(pid, `${file}: ${(e as Error).message}`); }
}

/**
 * What the kernel says of `pid`'s confinement, or null when the process is
 * gone. The caller checks afterwards that `pid` is still the process it
 * meant (its start time): a reused pid's data is then thrown away.
 */
export function readLiveSecurity(pid: number): LiveSecurity | null {
  let status: string, userNamespace: string, uidMap: string, gidMap: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    userNamespace = fs.readlinkSync(`/proc/${pid}/ns/user`);
    uidMap = fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8');
    gidMap = fs.readFileSync(`/proc/${pid}/gid_map`, 'utf8');
  } catch (e) {
    if (gone(e)) return null;
    throw new NscopeError('failed', `reading the confinement of process ${pid}: ${(e as Error).message}`);
  }
  const capEff = field(status, 'CapEff');
  if (!capEff || !/^[0-9a-f]{16}$/.test(capEff)) throw failed(pid, `status: CapEff "${capEff ?? ''}" is not 16 hex digits`);
  const seccomp = field(status, 'Seccomp');
  // no Seccomp: line at all: a kernel built without CONFIG_SECCOMP, where nothing is filtered
  if (seccomp !== undefined && !/^[012]$/.test(seccomp)) throw failed(pid, `status: Seccomp "${seccomp}" is not 0, 1 or 2`);
  const filters = field(status, 'Seccomp_filters');
  const nnp = field(status, 'NoNewPrivs');
  if (nnp !== '0' && nnp !== '1') throw failed(pid, `status: NoNewPrivs "${nnp ?? ''}" is not 0 or 1`);
  // the helper runs in the host's user namespace: sharing it is sharing the host's
  const host = userNamespace === fs.readlinkSync('/proc/self/ns/user');
  return {
    pid,
    capEff,
    capabilities: capNames(capEff),
    seccompMode: Number(seccomp ?? 0) as SeccompMode,
    ...(filters !== undefined && /^\d+$/.test(filters) ? { seccompFilters: Number(filters) } : {}),
    noNewPrivileges: nnp === '1',
    userNamespace,
    userns: host ? null : { uidMap: parseMap(uidMap, pid, 'uid_map'), gidMap: parseMap(gidMap, pid, 'gid_map') },
  };
}
