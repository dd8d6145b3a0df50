// `nscope events`: the helper's event notifications (system.subscribe),
// printed as `docker events` prints them — "TIME TYPE ACTION ID (attrs)" — or
// through --format, with Docker's filters. The helper keeps no history of
// events: they are shown from the moment the command subscribes.
import type { HelperClient } from '../protocol/client';
import type { NscopeEvent } from '../protocol';
import { list, str, UsageError } from './args';
import type { Command } from './command';
import { EVENT_FILTERS, parseFilters, type Filters } from './filters';
import { listFormat } from './list-format';
import { goStringMap } from '../lib/go-template';
import { parseTimeArg } from './time-arg';

/** nscope's event type -> Docker's Type and Action; container.changed (files written) has no Docker event */
const ACTIONS: Partial<Record<NscopeEvent['type'], [string, string]>> = {
  'container.created': ['container', 'create'], 'container.started': ['container', 'start'], 'container.exited': ['container', 'die'],
  'container.oom': ['container', 'oom'], 'container.removed': ['container', 'destroy'], 'container.updated': ['container', 'update'],
  'container.health': ['container', 'health_status'],
  'container.paused': ['container', 'pause'], 'container.unpaused': ['container', 'unpause'], 'container.renamed': ['container', 'rename'],
  'image.added': ['image', 'tag'], 'image.removed': ['image', 'delete'],
  'network.created': ['network', 'create'], 'network.removed': ['network', 'destroy'],
  'network.connected': ['network', 'connect'], 'network.disconnected': ['network', 'disconnect'],
  'volume.created': ['volume', 'create'], 'volume.removed': ['volume', 'destroy'],
};

/** Docker's events.Message, with its legacy fields (status, id, from) for old templates. */
export interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

export function dockerEvent(e: NscopeEvent, known?: { image?: string; labels?: Record<string, string> }): DockerEvent | undefined {
  const a = ACTIONS[e.type];
  if (!a) return undefined;
  const [Type, action] = a;
  // Docker's health event names the status in its action: "health_status: healthy"
  const Action = e.type === 'container.health' ? `${action}: ${e.health ?? ''}` : action;
  const attrs: Record<string, string> = {};
  if (Type === 'container') {
    Object.assign(attrs, known?.labels ?? {});
    if (known?.image) attrs.image = known.image;
    if (e.exitCode !== undefined) attrs.exitCode = String(e.exitCode);
    if (e.oldName) attrs.oldName = `/${e.oldName}`;
  }
  if (Type === 'network' && e.container) attrs.container = e.container;
  if (e.name) attrs.name = e.name;
  const ms = Date.parse(e.time);
  return {
    Type, Action, Actor: { ID: e.id, Attributes: goStringMap(attrs) }, scope: 'local', time: Math.floor(ms / 1000), timeNano: ms * 1e6,
    ...(Type === 'container' ? { status: Action, id: e.id, from: known?.image ?? '' } : {}),
  };
}

/**
 * The event as Docker's templates see it: its Go struct's field names
 * (`{{.Status}}`, `{{.ID}}`, `{{.From}}`, `{{.Scope}}`, `{{.Time}}`, `{{.TimeNano}}`;
 * the legacy three empty where an event has none), while `{{json .}}` still
 * prints the JSON names (status, id, from, scope, time, timeNano).
 */
export function templateView(e: DockerEvent): object {
  const view = { Type: e.Type, Action: e.Action, Actor: e.Actor, Scope: e.scope, Time: e.time, TimeNano: e.timeNano, Status: e.status ?? '', ID: e.id ?? '', From: e.from ?? '' };
  Object.defineProperty(view, 'toJSON', { value: () => e, enumerable: false });
  return view;
}

/** "2024-05-01T10:00:00.123000000Z container start ID (image=host, name=web)" */
export function eventLine(e: DockerEvent): string {
  const attrs = Object.keys(e.Actor.Attributes).sort().map((k) => `${k}=${e.Actor.Attributes[k]}`).join(', ');
  const t = new Date(e.timeNano / 1e6).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
  return `${t} ${e.Type} ${e.Action} ${e.Actor.ID}${attrs ? ` (${attrs})` : ''}`;
}

export function eventMatches(e: DockerEvent, f: Filters): boolean {
  const any = (key: string, test: (v: string) => boolean) => !f.has(key) || f.get(key)!.some(test);
  const name = e.Actor.Attributes.name ?? '';
  return any('type', (v) => v === e.Type)
    && any('event', (v) => v === e.Action || v === e.Action.split(':')[0]) // health_status: … matches health_status, as in Docker
    && any('container', (v) => e.Type === 'container' && (e.Actor.ID.startsWith(v) || name === v))
    && any('image', (v) => (e.Type === 'image' ? name === v || e.Actor.ID.startsWith(v) : e.Actor.Attributes.image === v))
    && (!f.has('label') || f.get('label')!.every((v) => {
      const eq = v.indexOf('=');
      const k = eq < 0 ? v : v.slice(0, eq);
      return Object.hasOwn(e.Actor.Attributes, k) && (eq < 0 || e.Actor.Attributes[k] === v.slice(eq + 1));
    }));
}

export const EVENTS: Command = {
  summary: 'Get real time events from the helper (containers, images, networks, volumes)', group: 'Helper',
  flags: [
    { name: 'filter', short: 'f', takesValue: true, repeat: true, value: 'filter', help: `Filter output based on conditions provided: ${EVENT_FILTERS.join(', ')} (e.g. type=container, event=die)` },
    { name: 'format', takesValue: true, value: 'string', help: 'Format output: "json" (a JSON object per line) or a Go TEMPLATE, e.g. \'{{.Action}} {{.Actor.Attributes.name}}\'' },
    { name: 'since', takesValue: true, value: 'string', help: 'Show events from this time on (RFC 3339, Unix seconds or relative); the helper keeps no history, so a time past is now' },
    { name: 'until', takesValue: true, value: 'string', help: 'Stream events until this time (RFC 3339, Unix seconds or relative)' },
  ],
  usage: 'events [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope events [OPTIONS]');
    const filters = parseFilters(list(p, 'filter'), EVENT_FILTERS);
    const fmt = listFormat(p);
    if (fmt.kind === 'template' && fmt.table) throw new UsageError('--format: "table" is for lists; events takes json or a template');
    const since = str(p, 'since') === undefined ? undefined : parseTimeArg(str(p, 'since')!, 'since');
    const until = str(p, 'until') === undefined ? undefined : parseTimeArg(str(p, 'until')!, 'until');
    if (since !== undefined && since < Date.now() - 1000) process.stderr.write('nscope: the helper keeps no event history: showing events from now on\n');
    if (until !== undefined && until <= Date.now()) return 0;
    const c: HelperClient = await ctx.client();
    // a container's image and labels, for the attributes Docker prints (a removed one is remembered from before)
    const known = new Map<string, { image?: string; labels?: Record<string, string> }>();
    for (const x of await c.request('container.list', { all: true })) known.set(x.id, { image: x.imageRef ?? x.image, labels: x.labels });
    let done = () => {};
    const finished = new Promise<void>((resolve) => { done = resolve; });
    let failure: Error | undefined;
    const print = (e: DockerEvent) => {
      if (!eventMatches(e, filters) || (since !== undefined && e.timeNano / 1e6 < since) || (until !== undefined && e.timeNano / 1e6 > until)) return;
      try {
        if (fmt.kind === 'json') process.stdout.write(JSON.stringify(e) + '\n');
        else if (fmt.kind === 'template') process.stdout.write(fmt.template.execute(templateView(e)) + '\n');
        else process.stdout.write(eventLine(e) + '\n');
      } catch (err) { failure = err as Error; done(); }
    };
    // events are printed in the order they came, each after its container was looked up
    let chain = Promise.resolve();
    const off = await c.onEvent((ev) => {
      chain = chain.then(async () => {
        if (ev.type.startsWith('container.') && !known.has(ev.id) && ev.type !== 'container.removed') {
          const d = await c.request('container.inspect', { id: ev.id }).catch(() => undefined);
          if (d) known.set(d.id, { image: d.imageRef ?? d.image, labels: d.labels });
        }
        const de = dockerEvent(ev, known.get(ev.id));
        if (de) print(de);
      });
    });
    c.onClose = () => { failure ??= new Error('the connection to the nscope helper was closed'); done(); };
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const timer = until !== undefined ? setTimeout(stop, until - Date.now()) : undefined;
    try {
      await finished;
    } finally {
      clearTimeout(timer);
      off();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    if (failure) throw failure;
    return 0;
  },
};
