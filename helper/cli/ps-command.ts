// `nscope ps`: the containers, as Docker lists them, with its --filter,
// --format templates, -n/-l and --no-trunc.
import type { ContainerSummary, PortMapping } from '../protocol';
import { bool, FlagError, list, str } from './args';
import { json, type Command } from './command';
import { containerState, CONTAINER_FILTERS, filterContainers, listedWithoutAll, parseFilters } from './filters';
import { checkDetailFilters, DETAIL_FILTERS, filterByDetails, networkNames } from './ps-detail-filters';
import { ago, humanSize, shortId, table } from './format';
import { shortImageRef } from '../images/names';
import { listFormat, renderTemplate, TEMPLATE_FORMAT } from './list-format';
import { byContainerPort } from './port-order';

export function statusText(c: ContainerSummary): string {
  // as Docker's State.String(): paused first, else its health ("health: starting" while it has no verdict)
  if (c.status === 'running') return `Up ${ago(c.startedAt)}${c.paused ? ' (Paused)' : c.health ? ` (${c.health === 'starting' ? 'health: starting' : c.health})` : ''}`;
  if (c.status === 'created') return 'Created';
  if (c.restarting) return `Restarting (${c.exitCode ?? '?'}) ${ago(c.finishedAt)} ago`;
  // Docker's words exactly (an OOM kill is inspect's State.OOMKilled, not part of the status)
  return `Exited (${c.exitCode ?? '?'}) ${ago(c.finishedAt)} ago`;
}

/** Go's time.Time as Docker's CreatedAt prints it: "2024-05-01 10:00:00 +0000 UTC" */
export function goTime(iso: string | undefined): string {
  if (!iso) return '';
  return new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC');
}

const commandText = (c: ContainerSummary, noTrunc: boolean) => {
  const s = c.command.join(' ');
  return JSON.stringify(noTrunc || s.length <= 20 ? s : s.slice(0, 19) + '…');
};

/** What a row shows of a container's details (asked only when the template names them). */
interface Extra { networks: string[]; mounts: string[] }

/** Docker's PORTS text: "127.0.0.1:8080->80/tcp, 0.0.0.0:5353->53/udp" */
const portsText = (ports: PortMapping[]) => byContainerPort(ports).map((x) => `${x.hostIp || '0.0.0.0'}:${x.hostPort}->${x.containerPort}/${x.protocol}`).join(', ');

/** The image as named at create, or the image's ID once that name means another (Docker's rule); cut unless --no-trunc. */
export function imageText(c: ContainerSummary, noTrunc = false): string {
  const ref = c.imageMoved ? c.imageId : c.imageRef ?? c.image;
  return noTrunc ? ref : shortImageRef(ref);
}

/** One row as Docker's ps templates see it ({{.ID}}, {{.Names}}, {{.Label "k"}}, …). */
function row(c: ContainerSummary, noTrunc: boolean, extra?: Extra, imageSizes?: Map<string, number>) {
  const labels = c.labels ?? {};
  return {
    ID: noTrunc ? c.id : shortId(c.id),
    Image: imageText(c, noTrunc),
    Command: commandText(c, noTrunc),
    CreatedAt: goTime(c.created),
    RunningFor: `${ago(c.created)} ago`,
    Ports: portsText(c.ports ?? []),
    State: containerState(c),
    Status: statusText(c),
    // as docker ps -s: the rw layer, and with the image under it
    Size: c.sizeRw === undefined ? '' : `${humanSize(c.sizeRw)} (virtual ${humanSize(c.sizeRw + (imageSizes?.get(c.imageId) ?? 0))})`,
    Names: c.name,
    Labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
    Label: (k: string) => labels[k] ?? '',
    Mounts: extra ? extra.mounts.join(',') : '',
    Networks: extra ? extra.networks.join(',') : '',
    LocalVolumes: String(extra ? extra.mounts.length : 0),
  };
}

const HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS', State: 'STATE',
  Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Label: '()LABEL', Mounts: 'MOUNTS', Networks: 'NETWORKS', LocalVolumes: 'LOCAL VOLUMES',
};

export const PS: Command = {
  summary: 'List containers', group: 'Containers',
  flags: [
    { name: 'all', short: 'a', help: 'Show all containers (default shows just running)' },
    { name: 'quiet', short: 'q', help: 'Only display container IDs' },
    { name: 'filter', short: 'f', takesValue: true, repeat: true, value: 'filter', help: `Filter output based on conditions provided: ${[...CONTAINER_FILTERS, ...DETAIL_FILTERS].join(', ')} (e.g. name=web, status=exited, label=k=v, publish=80)` },
    { name: 'last', short: 'n', takesValue: true, value: 'int', help: 'Show n last created containers (includes all states)' },
    { name: 'latest', short: 'l', help: 'Show the latest created container (includes all states)' },
    { name: 'no-trunc', help: "Don't truncate output" },
    { name: 'size', short: 's', help: 'Display total file sizes (each container\'s rw layer, and with its image)' },
    { ...TEMPLATE_FORMAT, help: 'Format output: "table", "json" (nscope\'s list as a JSON array), "table TEMPLATE" or a Go TEMPLATE, e.g. \'{{.ID}}\\t{{.Names}}\'' },
  ],
  usage: 'ps [OPTIONS]',
  async run(p, ctx) {
    const filters = parseFilters(list(p, 'filter'), [...CONTAINER_FILTERS, ...DETAIL_FILTERS]);
    checkDetailFilters(filters);
    const fmt = listFormat(p);
    const n = str(p, 'last');
    if (n !== undefined && !/^-?\d+$/.test(n)) throw new FlagError(`--last: "${n}" is not a number`);
    const last = bool(p, 'latest') ? 1 : n === undefined ? -1 : Number(n);
    // as Docker: a status filter, -n and -l look at stopped containers too
    const all = bool(p, 'all') || filters.has('status') || last > 0;
    const c = await ctx.client();
    const size = bool(p, 'size') || /\.Size\b/.test(str(p, 'format') ?? '');
    let rows = await c.request('container.list', { all, size });
    const imageSizes = size ? new Map((await c.request('image.list', { all: true })).map((i) => [i.id, i.size])) : undefined;
    // before/since need the stopped ones to name them by
    if (filters.has('before') || filters.has('since')) {
      const every = all ? rows : await c.request('container.list', { all: true });
      rows = filterContainers(every, filters).filter((x) => all || listedWithoutAll(x));
    } else rows = filterContainers(rows, filters);
    rows = await filterByDetails(c, rows, filters);
    // newest first; -n keeps the first n
    if (last > 0) rows = rows.slice(0, last);
    const noTrunc = bool(p, 'no-trunc');
    if (bool(p, 'quiet')) process.stdout.write(rows.map((x) => (noTrunc ? x.id : shortId(x.id)) + '\n').join(''));
    else if (fmt.kind === 'json') json(rows);
    else if (fmt.kind === 'template') {
      // networks and mounts are in each container's details: asked only when the template shows them
      const needs = /\.(Networks|Mounts|LocalVolumes)\b/.test(str(p, 'format') ?? '');
      const extras = needs ? await Promise.all(rows.map(async (x): Promise<Extra | undefined> => {
        const d = await c.request('container.inspect', { id: x.id }).catch(() => undefined);
        return d && { networks: networkNames(d), mounts: (d.mounts ?? []).map((m) => (m.type === 'volume' ? m.name ?? '' : m.source ?? m.destination)) };
      })) : [];
      process.stdout.write(renderTemplate(fmt, rows.map((x, i) => row(x, noTrunc, extras[i], imageSizes)), HEADERS));
    }
    else process.stdout.write(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES', ...(size ? ['SIZE'] : [])],
      rows.map((x) => { const r = row(x, noTrunc, undefined, imageSizes); return [r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Ports, r.Names, ...(size ? [r.Size] : [])]; })));
    return 0;
  },
};
