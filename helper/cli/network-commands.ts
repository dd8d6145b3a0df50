// `nscope network …` and `nscope port`, as Docker's: each network command
// with its own flags (`network ls -f` is --filter, `network prune -f` and
// `network rm -f` --force, `network inspect -f` --format).
import type { PortMapping } from '../protocol';
import { HelperError } from '../protocol/client';
import { bool, list, str, UsageError, type Parsed } from './args';
import { FORMAT, json, wantsJson, type Command } from './command';
import { dockerNetwork } from './docker-network';
import { ago, shortId, table } from './format';
import { INSPECT_FORMAT } from './inspect-command';
import { inspectFormat, printInspected } from './inspect-output';
import { listFormat, renderTemplate, TEMPLATE_FORMAT } from './list-format';
import { management } from './management';
import { createParams, CREATE_FLAGS } from './network-create';
import { filterNetworks, NETWORK_HEADERS, networkFilters, networkRow } from './network-list';
import { parseFilters } from './filters';
import { byContainerPort } from './port-order';
import { promptLine } from './prompt';
import { parseTimeArg } from './time-arg';

const portLine = (m: PortMapping) => `${m.containerPort}/${m.protocol} -> ${m.hostIp ?? '0.0.0.0'}:${m.hostPort}`;

const CREATE: Command = {
  summary: 'Create a bridge network', group: 'Containers',
  flags: CREATE_FLAGS, min: 1, usage: 'network create [OPTIONS] NETWORK',
  async run(p, ctx) {
    if (p.positionals.length !== 1) throw new UsageError('usage: nscope network create [OPTIONS] NETWORK');
    const n = await (await ctx.client()).request('network.create', createParams(p, p.positionals[0]));
    process.stdout.write(n.id + '\n');
    return 0;
  },
};

const LS: Command = {
  summary: 'List networks', group: 'Containers',
  flags: [
    { name: 'filter', short: 'f', takesValue: true, repeat: true, value: 'filter', help: 'Provide filter values: driver=, id=, label=KEY[=VALUE], name=, scope=local, type=custom|builtin, dangling=true|false' },
    { ...TEMPLATE_FORMAT, help: 'Format output: "table", "json", "table TEMPLATE" or a Go TEMPLATE ({{.ID}}, {{.Name}}, {{.Driver}}, {{.Scope}}, {{.IPv6}}, {{.Internal}}, {{.Labels}}, {{.Label "k"}}, {{.CreatedAt}}; nscope\'s {{.Subnet}}, {{.Gateway}}, {{.Bridge}}, {{.Containers}})' },
    { name: 'no-trunc', help: 'Do not truncate the output (full network IDs)' },
    { name: 'quiet', short: 'q', help: 'Only display network IDs' },
  ],
  usage: 'network ls [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope network ls [OPTIONS]');
    const fmt = listFormat(p);
    const filters = networkFilters(list(p, 'filter'));
    const noTrunc = bool(p, 'no-trunc');
    const nets = filterNetworks(await (await ctx.client()).request('network.list', {}), filters);
    if (bool(p, 'quiet')) process.stdout.write(nets.map((n) => (noTrunc ? n.id : shortId(n.id)) + '\n').join(''));
    else if (fmt.kind === 'json') json(nets);
    else if (fmt.kind === 'template') process.stdout.write(renderTemplate(fmt, nets.map((n) => networkRow(n, noTrunc)), NETWORK_HEADERS));
    else {
      process.stdout.write(table(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE', 'SUBNET', 'GATEWAY', 'BRIDGE', 'CONTAINERS', 'CREATED'],
        nets.map((n) => [noTrunc ? n.id : shortId(n.id), n.name + (n.isDefault ? ' (bridge)' : '') + (n.internal ? ' (internal)' : ''), n.driver, 'local', n.subnet, n.gateway, n.bridge, String(n.containers.length), `${ago(n.created)} ago`])));
    }
    return 0;
  },
};

const INSPECT: Command = {
  summary: "Display networks in detail, as Docker prints them (nscope's own document under Nscope)", group: 'Containers',
  flags: [INSPECT_FORMAT, { name: 'verbose', short: 'v', help: 'Verbose output for diagnostics (accepted: a local network has nothing more to show)' }],
  min: 1, usage: 'network inspect [OPTIONS] NETWORK [NETWORK...]',
  async run(p, ctx) {
    const fmt = inspectFormat(p);
    const c = await ctx.client();
    const docs: unknown[] = [];
    let rc = 0;
    for (const name of p.positionals) {
      try { docs.push(dockerNetwork(await c.request('network.inspect', { name }))); } catch (e) {
        // Docker's words, and the others still printed
        process.stderr.write(`nscope: ${e instanceof HelperError && e.kind === 'not_found' ? `No such network: ${name}` : (e as Error).message}\n`);
        rc = 1;
      }
    }
    return printInspected(fmt, docs, rc);
  },
};

const RM: Command = {
  summary: 'Remove one or more networks (refused while containers are attached)', group: 'Containers',
  flags: [{ name: 'force', short: 'f', help: 'Do not error if the network does not exist' }],
  min: 1, usage: 'network rm [OPTIONS] NETWORK [NETWORK...]',
  async run(p, ctx) {
    const c = await ctx.client();
    let rc = 0;
    for (const name of p.positionals) {
      try { await c.request('network.remove', { name }); process.stdout.write(name + '\n'); } catch (e) {
        if (bool(p, 'force') && e instanceof HelperError && e.kind === 'not_found') continue;
        process.stderr.write(`nscope: ${(e as Error).message}\n`);
        rc = 1;
      }
    }
    return rc;
  },
};

/** Docker's question; a usage error where there is no terminal to ask at (-f says yes), as the other prunes. */
async function confirmPrune(p: Parsed): Promise<boolean> {
  if (bool(p, 'force')) return true;
  if (!process.stdin.isTTY) throw new UsageError('not a terminal to ask at: give -f (--force) to remove without a prompt');
  const answer = await promptLine('WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ', { echo: true });
  return /^y(es)?$/i.test(answer.trim());
}

const PRUNE: Command = {
  summary: 'Remove all unused networks (user-defined ones no container is attached to)', group: 'Containers',
  flags: [
    { name: 'filter', takesValue: true, repeat: true, value: 'filter', help: 'Provide filter values: until=TIMESTAMP|DURATION (created before), label=KEY[=VALUE], label!=KEY[=VALUE]' },
    { name: 'force', short: 'f', help: 'Do not prompt for confirmation' },
  ],
  usage: 'network prune [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope network prune [OPTIONS]');
    const f = parseFilters(list(p, 'filter'), ['until', 'label', 'label!']);
    const until = f.get('until');
    if (until && until.length > 1) throw new UsageError('--filter until: give it once');
    const params = {
      ...(until ? { until: new Date(parseTimeArg(until[0], 'filter until')).toISOString() } : {}),
      ...(f.has('label') ? { labels: f.get('label') } : {}), ...(f.has('label!') ? { labelsNot: f.get('label!') } : {}),
    };
    if (!await confirmPrune(p)) return 0;
    const r = await (await ctx.client()).request('network.prune', params);
    if (r.removed.length) process.stdout.write(`Deleted Networks:\n${r.removed.map((n) => n + '\n').join('')}`);
    return 0;
  },
};

const CONNECT: Command = {
  summary: 'Connect a container to a network (a running one now, any at its next start)', group: 'Containers',
  flags: [
    { name: 'alias', takesValue: true, repeat: true, help: 'Another name the container has on the network' },
    { name: 'driver-opt', takesValue: true, repeat: true, help: 'Driver options for the endpoint (accepted and ignored: the bridge driver of nscope takes none)' },
    { name: 'gw-priority', takesValue: true, value: 'int', help: "Accepted for Docker's syntax: nscope's default gateway is the first network's that has one (not internal), whatever the priority" },
    { name: 'ip', takesValue: true, help: 'IPv4 address (e.g., 172.30.100.104) on a user-defined network' },
    { name: 'ip6', takesValue: true, help: 'Refused: nscope networks are IPv4 only' },
    { name: 'link', takesValue: true, repeat: true, help: 'Refused: legacy links are not supported (names resolve on user-defined networks)' },
    { name: 'link-local-ip', takesValue: true, repeat: true, help: 'Refused: no link-local addresses are given' },
  ],
  min: 2, usage: 'network connect [OPTIONS] NETWORK CONTAINER',
  async run(p, ctx) {
    if (p.positionals.length !== 2) throw new UsageError('usage: nscope network connect [OPTIONS] NETWORK CONTAINER');
    if (str(p, 'ip6') !== undefined) throw new UsageError('--ip6: nscope networks are IPv4 only');
    if (list(p, 'link-local-ip')?.length) throw new UsageError('--link-local-ip: not supported: nscope gives containers no link-local addresses');
    if (list(p, 'link')?.length) throw new UsageError('--link: legacy links are not supported; use a user-defined network, where names resolve');
    const prio = str(p, 'gw-priority');
    if (prio !== undefined && !(/^-?\d{1,19}$/.test(prio) && BigInt(prio) >= -(2n ** 63n) && BigInt(prio) < 2n ** 63n)) throw new UsageError(`--gw-priority: "${prio}" is not an integer`);
    await (await ctx.client()).request('network.connect', { network: p.positionals[0], container: p.positionals[1], aliases: list(p, 'alias'), ip: str(p, 'ip') });
    return 0;
  },
};

const DISCONNECT: Command = {
  summary: 'Disconnect a container from a network', group: 'Containers',
  flags: [{ name: 'force', short: 'f', help: 'Force the container to disconnect from a network (accepted: a disconnect is never refused for being in use)' }],
  min: 2, usage: 'network disconnect [OPTIONS] NETWORK CONTAINER',
  async run(p, ctx) {
    if (p.positionals.length !== 2) throw new UsageError('usage: nscope network disconnect [OPTIONS] NETWORK CONTAINER');
    await (await ctx.client()).request('network.disconnect', { network: p.positionals[0], container: p.positionals[1] });
    return 0;
  },
};

export const NETWORK: Command = management('network', 'Manage networks (CNI bridge networks)', 'Containers', {
  create: CREATE, ls: LS, list: LS, inspect: INSPECT, rm: RM, remove: RM, prune: PRUNE, connect: CONNECT, disconnect: DISCONNECT,
});

export const PORT: Command = {
  summary: "List a container's published ports, or where one of its ports is published", group: 'Containers',
  flags: [FORMAT], min: 1, usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  async run(p, ctx) {
    const [id, which, ...extra] = p.positionals;
    if (extra.length) throw new UsageError('usage: nscope port CONTAINER [PRIVATE_PORT[/PROTO]]');
    let ports = byContainerPort(await (await ctx.client()).request('container.port', { id }));
    if (which !== undefined) {
      const m = /^(\d{1,5})(?:\/(tcp|udp))?$/.exec(which);
      if (!m) throw new UsageError(`port: "${which}" is not PORT[/tcp|udp]`);
      ports = ports.filter((x) => x.containerPort === Number(m[1]) && x.protocol === (m[2] ?? 'tcp'));
      if (!ports.length) throw new Error(`No public port '${m[1]}/${m[2] ?? 'tcp'}' published for ${id}`);
    }
    if (wantsJson(p)) json(ports);
    else process.stdout.write(ports.map((x) => (which !== undefined ? `${x.hostIp ?? '0.0.0.0'}:${x.hostPort}` : portLine(x)) + '\n').join(''));
    return 0;
  },
};

export const NETWORK_COMMANDS: Record<string, Command> = { network: NETWORK, port: PORT };
