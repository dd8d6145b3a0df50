// Driving an exec stream from a test: raw bytes with a tty, frames without.
import type { Socket } from 'node:net';
import { deframe } from '../../helper/cli/exec';
import type { ExecOptions } from '../../helper/protocol';
import { openStreamWithResult } from '../../helper/protocol/client';

export class ExecStream {
  out = '';
  stdout = '';
  stderr = '';
  ended: Promise<void>;
  constructor(readonly sock: Socket, readonly execId: string, tty: boolean) {
    const onData = tty ? (d: Buffer) => { this.out += d.toString('utf8'); }
      : deframe((s, d) => { if (s === 2) this.stderr += d.toString('utf8'); else this.stdout += d.toString('utf8'); });
    sock.on('data', onData);
    this.ended = new Promise((r) => { sock.on('close', () => r()); sock.on('end', () => r()); });
    sock.resume();
  }
  static async open(socket: string, opts: ExecOptions): Promise<ExecStream> {
    const { sock, result } = await openStreamWithResult(socket, { kind: 'exec', ...opts });
    return new ExecStream(sock, result.execId!, !!opts.tty);
  }
  write(s: string) { this.sock.write(s); }
  async expect(re: RegExp, timeoutMs = 10000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(this.out + this.stdout)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} in ${JSON.stringify(this.out + this.stdout)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
