// Events: JSON-RPC notifications named `event`, sent to subscribed connections.
export type EventType =
  | 'container.created' | 'container.started' | 'container.exited' | 'container.oom'
  | 'container.removed' | 'container.updated'
  /** a running container's health status changed (Docker's `health_status: …`) */
  | 'container.health'
  | 'container.paused' | 'container.unpaused' | 'container.renamed'
  /** files changed in a running container's rw layer (at most about one a second per container) */
  | 'container.changed'
  | 'image.added' | 'image.removed'
  | 'network.created' | 'network.removed' | 'network.connected' | 'network.disconnected'
  | 'volume.created' | 'volume.removed';

export interface NscopeEvent {
  type: EventType;
  /** container or image id */
  id: string;
  name?: string;
  time: string;
  exitCode?: number;
  limits?: unknown;
  /** container.renamed: the name it had */
  oldName?: string;
  /** network.connected/disconnected: the container's id (id and name are the network's) */
  container?: string;
  /** container.health: the status it has now */
  health?: import('./containers').HealthStatus;
}

export const EVENT_METHOD = 'event';
