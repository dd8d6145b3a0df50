// `--sysctl KEY=VALUE`: only what the container's own kernel namespaces
// hold, as runc allows (its validateSysctl): the IPC ones (kernel.msg*,
// kernel.sem, kernel.shm*, fs.mqueue.*) with an IPC namespace not the
// host's, net.* with a network namespace not the host's, kernel.hostname and
// kernel.domainname with a UTS one. Anything else would change the host.
import { invalid } from '../errors';
import type { Namespace } from './spec';

const IPC_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

export function parseSysctls(values: string[] | undefined, namespaces: Namespace[]): Record<string, string> | undefined {
  if (!values?.length) return undefined;
  const has = (type: Namespace['type']) => namespaces.some((n) => n.type === type);
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw invalid(`--sysctl: "${v.slice(0, 64)}" is not KEY=VALUE`);
    // net/ipv4/ip_forward is written net.ipv4.ip_forward, as sysctl(8) takes both
    const key = v.slice(0, eq).replace(/\//g, '.');
    const value = v.slice(eq + 1);
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/.test(key)) throw invalid(`--sysctl: "${key.slice(0, 64)}" is not a sysctl name`);
    if (/[\n\r\0]/.test(value) || value.length > 4096) throw invalid(`--sysctl ${key}: the value must be one line`);
    if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.')) {
      if (!has('ipc')) throw invalid(`--sysctl: sysctl "${key}" is not allowed as it conflicts with the OCI "ipc" namespace (--ipc host)`);
    } else if (key.startsWith('net.')) {
      if (!has('network')) throw invalid(`--sysctl: sysctl "${key}" not allowed in host network namespace`);
    } else if (key === 'kernel.hostname' || key === 'kernel.domainname') {
      if (!has('uts')) throw invalid(`--sysctl: sysctl "${key}" is not allowed as it conflicts with the OCI "uts" namespace`);
    } else {
      throw invalid(`--sysctl: sysctl "${key}" is not in a separate kernel namespace`);
    }
    out[key] = value;
  }
  return out;
}
