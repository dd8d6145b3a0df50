// The helper itself: who it is, and where it listens and keeps its state by default.
export interface SystemInfo {
  version: string;
  pid: number;
  root: string;
  socket: string;
  cgroupVersion: 1 | 2;
  kernel: string;
  containers: { total: number; running: number };
  images: number;
  /** who the helper sees on this connection */
  peer: { uid: number; gid: number; pid: number };
}

/** the daemon, the CLI and the extension all default to these */
export const DEFAULT_SOCKET = '/run/nscope/nscope.sock';
export const DEFAULT_ROOT = '/var/lib/nscope';
