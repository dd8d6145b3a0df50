// tmux on a server of the test's own (a socket in its temp dir): a tmux the
// user runs, or another suite's, never sees the test's sessions, and the
// sessions get this process's environment rather than an older server's.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export class PrivateTmux {
  readonly socket: string;
  constructor(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-tmux-'))) {
    this.socket = path.join(dir, 'tmux.sock');
  }
  run(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }
  /** Ends the server and its sessions. */
  close(): void {
    try { this.run('kill-server'); } catch { /* none */ }
  }
}
