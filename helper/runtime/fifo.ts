// The create/start split: the container's init blocks opening exec.fifo for
// writing; `start` opens it for reading and takes the byte the init writes
// just before execve (runc's protocol).
import * as fs from 'fs';
import * as net from 'net';
import { NscopeError } from '../errors';
import { native } from '../native';
import { isSameProcess } from '../lib/procinfo';

const S_IFIFO = 0o010000;

/**
 * 0622 whatever the umask: the init opens its end after it has become the
 * container's user (--user 1000, or the root of its own user namespace).
 */
export function makeFifo(file: string, mode = 0o622): void {
  native().mknod(file, S_IFIFO | mode, 0, 0);
  fs.chmodSync(file, mode);
}

/**
 * Lets the container's init go: it blocks opening the fifo for writing until
 * a reader opens it, then writes one byte and execs, its end of the fifo
 * closing with the exec. Opened O_RDWR (Linux), the fifo never reads as
 * end-of-file before the init has opened its end, so the byte can be awaited
 * through epoll instead of by polling; then a read-only end waits for the
 * exec, so that once `start` answers, the container runs its command (its
 * /proc/PID/cmdline, `top`) rather than the last moments of its set-up.
 */
export function releaseFifo(file: string, pid: number, pidStart?: number, timeoutMs = 10_000): Promise<void> {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  } catch (e) {
    return Promise.reject(new NscopeError('conflict', `cannot start: exec fifo: ${(e as Error).message}`));
  }
  return new Promise<void>((resolve, reject) => {
    const sock = new net.Socket({ fd, readable: true, writable: false });
    const started = Date.now();
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearInterval(watch);
      sock.destroy();
      try { fs.unlinkSync(file); } catch { /* gone */ }
      if (err) reject(err); else resolve();
    };
    let gotByte = false;
    sock.once('data', () => {
      gotByte = true;
      let execd: net.Socket;
      try {
        execd = new net.Socket({ fd: fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK), readable: true, writable: false });
      } catch { finish(); return; }
      const done = () => { clearTimeout(t); execd.destroy(); finish(); };
      // the exec is microseconds away; should the init be stuck before it, don't hold `start` up
      const t = setTimeout(done, 2000);
      execd.once('end', done);
      execd.once('close', done);
      execd.once('error', done);
      execd.resume();
      sock.destroy();
    });
    sock.once('error', (e) => finish(new NscopeError('failed', `cannot start: exec fifo: ${e.message}`)));
    const watch = setInterval(() => {
      if (gotByte) return; // started: the exec's end-of-file (or its time-out) finishes
      if (isSameProcess(pid, pidStart)) {
        if (Date.now() - started > timeoutMs) finish(new NscopeError('failed', 'cannot start: the container\'s init did not answer'));
        return;
      }
      // gone: it may have taken the go and already run to its end (e.g. /bin/true); the byte tells
      let n = 0;
      try { n = fs.readSync(fd, Buffer.alloc(1), 0, 1, null); } catch { /* none */ }
      finish(n === 1 ? undefined : new NscopeError('failed', 'cannot start: the container\'s init is gone'));
    }, 20);
  });
}
