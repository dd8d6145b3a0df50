// Connecting to a shim's Unix socket (attach.sock), whose path may be longer
// than sun_path allows (108 bytes): then through /proc/self/fd/N/NAME of its
// directory, the way the shim binds it (native/shim/attach.c).
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { NscopeError } from '../errors';

export function connectUnix(file: string): Promise<net.Socket> {
  let dirfd: number | undefined;
  let target = file;
  if (Buffer.byteLength(file) >= 108) {
    dirfd = fs.openSync(path.dirname(file), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    target = `/proc/self/fd/${dirfd}/${path.basename(file)}`;
  }
  return new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ path: target, allowHalfOpen: true });
    s.once('connect', () => resolve(s));
    s.once('error', (e) => reject(new NscopeError('conflict', `cannot attach: ${e.message}`)));
  }).finally(() => { if (dirfd !== undefined) fs.closeSync(dirfd); });
}
