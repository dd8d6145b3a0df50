// The helper itself, and the subscription to events (the data: ../types/system.ts).
import type { SystemInfo } from '../types/system';

export interface SystemMethods {
  'system.info': { params: Record<string, never>; result: SystemInfo };
  /** After this call the connection receives `event` notifications. */
  'system.subscribe': { params: Record<string, never>; result: { subscribed: true } };
}
