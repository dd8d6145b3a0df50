// "Run Interactive" on an image: a new container with a console (docker run
// -it --rm), its console in a terminal (./tty-pty.ts). Attached before it
// starts, so its first bytes (a shell's prompt) are not lost; its size
// follows the terminal (container.resize); its exit code closes the
// terminal; closing the terminal kills it. Removed once it has exited.
import { openStream } from '../../helper/protocol/client';
import type { Connection } from '../connection';
import { TtyPty, type TtySession } from './tty-pty';

export interface RunTarget { image: string; cmd?: string[]; name?: string }

export class RunPty extends TtyPty {
  protected readonly what: string;
  /** the container's ID, once created */
  id?: string;

  constructor(private readonly conn: Connection, private readonly target: RunTarget) {
    super();
    this.what = `run ${target.image}`;
  }

  protected async connect(rows: number, cols: number): Promise<TtySession> {
    const { image, cmd, name } = this.target;
    const { id } = await this.conn.request('container.create', { image, ...(cmd?.length ? { cmd } : {}), ...(name ? { name } : {}), tty: true, interactive: true, rm: true, rows, cols });
    this.id = id;
    let sock;
    try {
      sock = await openStream(this.conn.socketPath, { kind: 'attach', id });
      // the end of the run this start begins
      const waited = this.conn.request('container.wait', { id, next: true });
      waited.catch(() => undefined);
      await this.conn.request('container.start', { id });
      return {
        sock,
        resize: (r, c) => this.conn.request('container.resize', { id, rows: r, cols: c }),
        exitCode: async () => (await waited).exitCode,
      };
    } catch (e) {
      // never started: nothing will remove it, so it goes now
      sock?.destroy();
      await this.conn.request('container.remove', { id, force: true }).catch(() => undefined);
      throw e;
    }
  }

  protected hangUp(session: TtySession): void {
    session.sock.destroy();
    // an interactive run lives as long as its terminal (it is removed once it exits)
    if (this.id) this.conn.request('container.kill', { id: this.id, signal: 'SIGKILL' }).catch(() => undefined);
  }

  protected exitMessage(code: number): string {
    return `${this.target.name ?? this.target.image} exited with code ${code}`;
  }
}
