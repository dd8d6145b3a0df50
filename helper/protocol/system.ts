// The helper itself: who it is, and the subscription to events.
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

export interface SystemMethods {
  'system.info': { params: Record<string, never>; result: SystemInfo };
  /** After this call the connection receives `event` notifications. */
  'system.subscribe': { params: Record<string, never>; result: { subscribed: true } };
}
