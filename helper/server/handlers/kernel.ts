// kernel.read: the allowlist and the checks are in ../kernel-read.ts.
import type { KernelMethods } from '../../protocol';
import { liveCgroupOf } from '../../runtime/live-cgroup';
import { readKernelSource } from '../kernel-read';
import { natRulesOf } from '../../lib/netfilter';
import { NscopeError } from '../../errors';
import type { KernelReadResult } from '../../protocol/types/kernel';
import { obj, type AreaHandlers, type HelperServices } from './types';

async function netfilterSource(s: HelperServices, path: string, id: string): Promise<KernelReadResult> {
  let name: string;
  try { name = s.containers.inspect(id).name; } catch { throw new NscopeError('not_found', `kernel.read: ${path}: no such container`); }
  const data = Buffer.from(await natRulesOf(id, name));
  return { path, resolved: path, kind: 'netfilter', data: data.toString('base64'), length: data.length };
}

export function kernelHandlers(s: HelperServices): AreaHandlers<keyof KernelMethods> {
  const cgroupOf = (id: string) => liveCgroupOf(s.containers, id);
  return {
    'kernel.read': (p) => {
      const path = obj(p).path;
      // /netfilter/nat/ID: a live container's published-port rules (not a file: iptables-save's text)
      const nf = typeof path === 'string' ? /^\/netfilter\/nat\/([0-9a-f]{64})$/.exec(path) : null;
      if (nf) return netfilterSource(s, path, nf[1]);
      return readKernelSource(path, { cgroupVersion: s.cgroups.version, cgroupOf });
    },
  };
}
