// `nscope volume create|ls|inspect|rm|prune`, as `docker volume` has them,
// each with its own flags (`volume ls -f` is --filter, `volume rm -f` --force).
import type { VolumeSummary } from '../protocol/types/volumes';
import { bool, FlagError, list, str, UsageError, type Parsed } from './args';
import { FORMAT, json, wantsJson, type Command, type Flag } from './command';
import { INSPECT_FORMAT } from './inspect-command';
import { inspectFormat, printInspected } from './inspect-output';
import { goStringMap } from '../lib/go-template';
import { filterVolumes, parseFilters, VOLUME_FILTERS } from './filters';
import { humanSize, table } from './format';
import { listFormat, renderTemplate, TEMPLATE_FORMAT } from './list-format';
import { management } from './management';
import { pruneFilters } from './prune-filters';
import { promptLine } from './prompt';

/** KEY=VALUE flags (--label, --opt) into a map; a KEY alone has an empty value. */
function keyValues(p: Parsed, flag: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const l of list(p, flag) ?? []) {
    const i = l.indexOf('=');
    out[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  return Object.keys(out).length ? out : undefined;
}

/** Docker's Swarm-only flags of `volume create`: taken so a script gets the reason, then refused. */
const CLUSTER_FLAGS: Flag[] = [
  { name: 'availability', takesValue: true, help: 'Cluster Volume availability (needs a swarm: refused)' },
  { name: 'group', takesValue: true, help: 'Cluster Volume group (needs a swarm: refused)' },
  { name: 'limit-bytes', takesValue: true, value: 'bytes', help: 'Minimum size of the Cluster Volume in bytes (needs a swarm: refused)' },
  { name: 'required-bytes', takesValue: true, value: 'bytes', help: 'Maximum size of the Cluster Volume in bytes (needs a swarm: refused)' },
  { name: 'scope', takesValue: true, help: 'Cluster Volume access scope (needs a swarm: refused)' },
  { name: 'secret', takesValue: true, repeat: true, value: 'map', help: 'Cluster Volume secrets (needs a swarm: refused)' },
  { name: 'sharing', takesValue: true, help: 'Cluster Volume access sharing (needs a swarm: refused)' },
  { name: 'topology-preferred', takesValue: true, repeat: true, help: 'A topology that the Cluster Volume would be preferred in (needs a swarm: refused)' },
  { name: 'topology-required', takesValue: true, repeat: true, help: 'A topology that the Cluster Volume must be accessible from (needs a swarm: refused)' },
  { name: 'type', takesValue: true, help: 'Cluster Volume access type (needs a swarm: refused)' },
];

function refuseCluster(p: Parsed): void {
  for (const f of CLUSTER_FLAGS) if (p.flags[f.name] !== undefined) throw new FlagError(`--${f.name}: cluster volumes need a swarm; nscope has none`);
}

const CREATE: Command = {
  summary: 'Create a volume', group: 'Containers', usage: 'volume create [OPTIONS] [VOLUME]',
  flags: [
    { name: 'driver', short: 'd', takesValue: true, help: 'Specify volume driver name (only "local")' },
    { name: 'label', takesValue: true, repeat: true, help: 'Set metadata for a volume (KEY=VALUE)' },
    { name: 'opt', short: 'o', takesValue: true, repeat: true, value: 'map', help: 'Set driver specific options: type, device and o, as Docker\'s local driver (type=tmpfs device=tmpfs o=size=100m; type=none o=bind device=/host/dir; type=ext4 device=/dev/…)' },
    ...CLUSTER_FLAGS,
  ],
  async run(p, ctx) {
    refuseCluster(p);
    if (p.positionals.length > 1) throw new UsageError('"nscope volume create" takes at most 1 argument\nUsage: nscope volume create [OPTIONS] [VOLUME]');
    const driver = str(p, 'driver');
    const options = keyValues(p, 'opt');
    const v = await (await ctx.client()).request('volume.create', {
      name: p.positionals[0], labels: keyValues(p, 'label'), ...(driver !== undefined ? { driver } : {}), ...(options ? { options } : {}),
    });
    process.stdout.write(v.name + '\n');
    return 0;
  },
};

/** One row as Docker's `volume ls` templates see it ({{.Name}}, {{.Driver}}, {{.Label "k"}}, …). */
function row(v: VolumeSummary) {
  return {
    Name: v.name, Driver: v.driver, Scope: 'local', Mountpoint: v.mountpoint, CreatedAt: v.created,
    Labels: Object.entries(v.labels).map(([k, x]) => `${k}=${x}`).join(','), Label: (k: string) => v.labels[k] ?? '',
    Links: String(v.users.length), Size: v.size === undefined ? 'N/A' : humanSize(v.size), Users: v.users.join(','),
  };
}

const LS: Command = {
  summary: 'List volumes, with the containers that use them', group: 'Containers', usage: 'volume ls [OPTIONS]',
  flags: [
    { name: 'filter', short: 'f', takesValue: true, repeat: true, value: 'filter', help: `Provide filter values: ${VOLUME_FILTERS.join(', ')} (e.g. "dangling=true", "label=k=v")` },
    { ...TEMPLATE_FORMAT, help: 'Format output: "table", "json" (nscope\'s list as a JSON array), "table TEMPLATE" or a Go TEMPLATE ({{.Name}}, {{.Driver}}, {{.Mountpoint}}, {{.Labels}}, {{.Links}}, {{.Size}})' },
    { name: 'quiet', short: 'q', help: 'Only display volume names' },
    { name: 'size', short: 's', help: 'Show each volume\'s size (N/A for one with driver options, as Docker sizes none)' },
    { name: 'cluster', help: 'Display only cluster volumes (needs a swarm: refused)' },
  ],
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('"nscope volume ls" accepts no arguments\nUsage: nscope volume ls [OPTIONS]');
    if (bool(p, 'cluster')) throw new FlagError('--cluster: cluster volumes need a swarm; nscope has none');
    const filters = parseFilters(list(p, 'filter'), VOLUME_FILTERS);
    const fmt = listFormat(p);
    const size = bool(p, 'size');
    const vols = filterVolumes(await (await ctx.client()).request('volume.list', { size }), filters);
    if (fmt.kind === 'json') json(vols);
    else if (bool(p, 'quiet')) process.stdout.write(vols.map((v) => v.name + '\n').join(''));
    else if (fmt.kind === 'template') {
      process.stdout.write(renderTemplate(fmt, vols.map(row), { Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', CreatedAt: 'CREATED', Labels: 'LABELS', Label: '()LABEL', Links: 'LINKS', Size: 'SIZE', Users: 'USERS' }));
    } else {
      const head = ['DRIVER', 'VOLUME NAME', 'USERS', ...(size ? ['SIZE'] : [])];
      process.stdout.write(table(head, vols.map((v) => [v.driver, v.name, v.users.join(',') || '-', ...(size ? [v.size === undefined ? 'N/A' : humanSize(v.size)] : [])])));
    }
    return 0;
  },
};

/** Docker's volume document (`docker volume inspect`), nscope's own fields under Nscope. */
function dockerVolume(v: VolumeSummary): object {
  return {
    CreatedAt: v.created, Driver: v.driver, Labels: goStringMap({ ...v.labels }), Mountpoint: v.mountpoint, Name: v.name,
    Options: v.options ? goStringMap({ type: v.options.type, device: v.options.device, ...(v.options.o !== undefined ? { o: v.options.o } : {}) }) : null,
    Scope: 'local',
    Nscope: { anonymous: v.anonymous, users: v.users, ...(v.size !== undefined ? { size: v.size } : {}), ...(v.mounted !== undefined ? { mounted: v.mounted } : {}) },
  };
}

const INSPECT: Command = {
  summary: 'Display detailed information on one or more volumes, as Docker prints it (nscope\'s own under Nscope)', group: 'Containers', usage: 'volume inspect [OPTIONS] VOLUME [VOLUME...]', min: 1,
  flags: [INSPECT_FORMAT],
  async run(p, ctx) {
    const fmt = inspectFormat(p);
    const c = await ctx.client();
    const docs: object[] = [];
    let rc = 0;
    for (const name of p.positionals) {
      try { docs.push(dockerVolume(await c.request('volume.inspect', { name }))); } catch (e) { process.stderr.write(`nscope: ${(e as Error).message}\n`); rc = 1; }
    }
    return printInspected(fmt, docs, rc);
  },
};

const RM: Command = {
  summary: 'Remove volumes no container uses', group: 'Containers', usage: 'volume rm [OPTIONS] VOLUME [VOLUME...]', min: 1,
  flags: [{ name: 'force', short: 'f', help: 'No error for a volume that does not exist' }],
  async run(p, ctx) {
    const c = await ctx.client();
    let rc = 0;
    for (const name of p.positionals) {
      try { await c.request('volume.remove', { name, force: bool(p, 'force') }); process.stdout.write(name + '\n'); } catch (e) { process.stderr.write(`nscope: ${(e as Error).message}\n`); rc = 1; }
    }
    return rc;
  },
};

const PRUNE: Command = {
  summary: 'Remove the anonymous volumes no container uses (-a: every unused volume)', group: 'Containers', usage: 'volume prune [OPTIONS]',
  flags: [
    { name: 'all', short: 'a', help: 'Remove all unused volumes, not just anonymous ones' },
    { name: 'filter', takesValue: true, repeat: true, value: 'filter', help: 'Provide filter values: label=KEY[=VALUE], label!=KEY[=VALUE]' },
    { name: 'force', short: 'f', help: 'Do not prompt for confirmation' },
    FORMAT,
  ],
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('"nscope volume prune" accepts no arguments\nUsage: nscope volume prune [OPTIONS]');
    const f = pruneFilters(p, ['label', 'label!']);
    const asJson = wantsJson(p);
    if (!bool(p, 'force')) {
      const what = bool(p, 'all') ? 'all volumes not used by at least one container' : 'all anonymous volumes not used by at least one container';
      const answer = await promptLine(`WARNING! This will remove ${what}.\nAre you sure you want to continue? [y/N] `, { echo: true });
      if (!/^y(es)?$/i.test(answer.trim())) return 0;
    }
    const r = await (await ctx.client()).request('volume.prune', { all: bool(p, 'all'), ...(f.labels.length || f.labelsNot.length ? { filters: { label: f.labels, 'label!': f.labelsNot } } : {}) });
    if (asJson) json(r);
    else process.stdout.write(`${r.removed.length ? `Deleted Volumes:\n${r.removed.join('\n')}\n\n` : ''}Total reclaimed space: ${humanSize(r.reclaimed)}\n`);
    return 0;
  },
};

export const VOLUME: Command = management('volume', 'Manage volumes', 'Containers', {
  create: CREATE, ls: LS, list: LS, inspect: INSPECT, rm: RM, remove: RM, prune: PRUNE,
}, ['create', 'ls', 'inspect', 'rm', 'prune']);
