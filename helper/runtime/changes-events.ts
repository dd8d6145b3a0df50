// `container.changed` events: a running container's rw layer changed, so a
// view of its changes can refresh without polling. Which layers are watched
// and when:
// - only while some client is subscribed to events: with the CLI alone (and
//   in the run benchmarks) nothing is watched at all;
// - only running containers, from START_DELAY_MS after the start: never on
//   the create/start path, and not at all for one that exits before;
// - the watch goes at the exit (a stopped container's layer does not change),
//   at the removal, and with the daemon.
import type { NscopeEvent } from '../protocol/types';
import { LayerWatch } from './changes-watch';
import type { ContainerManager } from './manager';

const START_DELAY_MS = 100;

export class ChangeEvents {
  private readonly watches = new Map<string, LayerWatch>();
  private readonly starting = new Map<string, NodeJS.Timeout>();
  private active = false;
  private readonly onLifecycle = (ev: NscopeEvent) => {
    if (!this.active) return;
    if (ev.type === 'container.started') this.schedule(ev.id);
    else if (ev.type === 'container.exited' || ev.type === 'container.removed') this.unwatch(ev.id);
  };

  constructor(private readonly containers: ContainerManager, private readonly emit: (ev: NscopeEvent) => void) {
    containers.on('event', this.onLifecycle);
  }

  /** On while at least one client is subscribed to events. */
  setActive(on: boolean): void {
    if (on === this.active) return;
    this.active = on;
    if (on) for (const c of this.containers.list(false)) this.schedule(c.id);
    else for (const id of [...this.watches.keys(), ...this.starting.keys()]) this.unwatch(id);
  }

  close(): void {
    this.setActive(false);
    this.containers.off('event', this.onLifecycle);
  }

  private schedule(id: string): void {
    if (this.watches.has(id) || this.starting.has(id)) return;
    const t = setTimeout(() => { this.starting.delete(id); this.watch(id); }, START_DELAY_MS);
    t.unref();
    this.starting.set(id, t);
  }

  private watch(id: string): void {
    let l: ReturnType<ContainerManager['layers']>;
    try { l = this.containers.layers(id); } catch { return; } // removed meanwhile
    if (l.status !== 'running') return;
    const w = new LayerWatch(l.upper, () => this.emit({ type: 'container.changed', id: l.id, name: l.name, time: new Date().toISOString() }));
    this.watches.set(id, w);
    // a layer that cannot be read at all is simply not watched
    w.start().catch(() => this.unwatch(id));
  }

  private unwatch(id: string): void {
    clearTimeout(this.starting.get(id));
    this.starting.delete(id);
    this.watches.get(id)?.close();
    this.watches.delete(id);
  }
}
