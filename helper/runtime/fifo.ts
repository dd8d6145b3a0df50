// The create/start split: the container's init blocks opening exec.fifo for
// writing; `start` opens it for reading and takes the byte the init writes
// just before execve (runc's protocol).
import * as fs from 'fs';
import { NscopeError } from '../errors';
import { native } from '../native';
import { isSameProcess } from './procinfo';

const S_IFIFO = 0o010000;

export function makeFifo(file: string, mode = 0o622): void {
  native().mknod(file, S_IFIFO | mode, 0, 0);
}

export async function releaseFifo(file: string, pid: number, pidStart?: number, timeoutMs = 10_000): Promise<void> {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new NscopeError('conflict', `cannot start: exec fifo: ${(e as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(1);
    const started = Date.now();
    const deadline = started + timeoutMs;
    for (;;) {
      let n = 0;
      try { n = fs.readSync(fd, buf, 0, 1, null); } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
      if (n === 1) break;
      if (!isSameProcess(pid, pidStart)) {
        // it may have taken the go and already run to its end (e.g. /bin/true): the byte tells
        try { n = fs.readSync(fd, buf, 0, 1, null); } catch { n = 0; }
        if (n === 1) break;
        throw new NscopeError('failed', 'cannot start: the container\'s init is gone');
      }
      if (Date.now() > deadline) throw new NscopeError('failed', 'cannot start: the container\'s init did not answer');
      // the byte normally follows within microseconds: spin on the event loop before sleeping
      await new Promise((r) => (Date.now() - started < 5 ? setImmediate(r) : setTimeout(r, 1)));
    }
  } finally {
    fs.closeSync(fd);
  }
  try { fs.unlinkSync(file); } catch { /* gone */ }
}
