import * as fs from 'fs';
import * as os from 'os';
import { invalid } from '../../errors';
import type { StreamMethods, SystemMethods } from '../../protocol';
import { type AreaHandlers, type HelperServices } from './types';

/** /etc/os-release's PRETTY_NAME (Docker's OperatingSystem), read once. */
let osPretty: string | undefined;
function osName(): string {
  if (osPretty === undefined) {
    let text = '';
    try { text = fs.readFileSync('/etc/os-release', 'utf8'); } catch { /* none */ }
    osPretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] || os.type();
  }
  return osPretty;
}

export function systemHandlers(s: HelperServices): AreaHandlers<keyof SystemMethods | keyof StreamMethods> {
  const c = s.containers;
  return {
    'system.info': (_p, ctx) => ({
      version: s.version, pid: process.pid, root: s.root, socket: s.socket, cgroupVersion: s.cgroups.version,
      kernel: os.release(), containers: c.counts(), images: s.images.list().length,
      peer: { uid: ctx.peer.uid, gid: ctx.peer.gid, pid: ctx.peer.pid },
      host: { name: os.hostname(), os: osName(), arch: os.machine(), cpus: os.cpus().length, memTotal: os.totalmem() },
      security: ['seccomp', 'cgroupns'],
    }),
    'system.subscribe': (_p, ctx) => { ctx.subscribe(); return { subscribed: true as const }; },
    'stream.open': () => { throw invalid('stream.open must be the first request on its own connection'); },
  };
}
