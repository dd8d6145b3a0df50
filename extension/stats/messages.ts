// What the stats panel and its webview say to each other (postMessage both
// ways), typed once for both sides.
import type { StatsLine } from '../../helper/protocol/types';

export type ToWebview =
  /** samples, oldest first: the backlog when the webview (re)loads, then one a second */
  | { type: 'lines'; lines: StatsLine[] }
  /** the limits as the form shows them ("64m", "max") */
  | { type: 'limits'; memory: string; pids: string }
  /** the stream ended: the container stopped, or the helper went away */
  | { type: 'ended'; reason: string }
  /** the answer to an update: error text, or none when it was applied */
  | { type: 'updated'; error?: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'update'; memory: string; pids: string };
