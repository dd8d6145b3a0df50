// "Open Shell in Container": a terminal (./tty-pty.ts) bridged to an exec
// stream with a TTY; exec.resize follows the terminal, exec.wait gives the
// shell's exit code; closing the terminal hangs the shell up (the helper
// sends SIGHUP when the stream goes).
import { openStreamWithResult } from '../../helper/protocol/client';
import type { Connection } from '../connection';
import { TtyPty, type TtySession } from './tty-pty';

export interface ShellTarget { id: string; name: string; shell: string; user?: string }

export class ShellPty extends TtyPty {
  protected readonly what: string;

  constructor(private readonly conn: Connection, private readonly target: ShellTarget) {
    super();
    this.what = `open shell in ${target.name}`;
  }

  protected async connect(rows: number, cols: number): Promise<TtySession> {
    const { sock, result } = await openStreamWithResult(this.conn.socketPath, {
      kind: 'exec', id: this.target.id, cmd: [this.target.shell], tty: true, interactive: true,
      user: this.target.user, rows, cols, env: ['TERM=xterm-256color'],
    });
    const execId = result.execId;
    return {
      sock,
      resize: (r, c) => (execId ? this.conn.request('exec.resize', { execId, rows: r, cols: c }) : Promise.resolve()),
      exitCode: async () => (execId ? (await this.conn.request('exec.wait', { execId })).exitCode ?? 0 : 0),
    };
  }

  protected hangUp(session: TtySession): void {
    session.sock.destroy();
  }

  protected exitMessage(code: number): string {
    return `${this.target.shell} in ${this.target.name} exited with code ${code}`;
  }
}
