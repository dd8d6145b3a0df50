// `nscope network …` and `nscope port`, as Docker's.
import type { NetworkDetail, PortMapping } from '../protocol';
import { list, str, UsageError } from './args';
import { eachId, FORMAT, json, wantsJson, type Command } from './command';
import { ago, shortId, table } from './format';

const portLine = (m: PortMapping) => `${m.containerPort}/${m.protocol} -> ${m.hostIp ?? '0.0.0.0'}:${m.hostPort}`;

export const NETWORK: Command = {
  summary: 'Manage networks (CNI bridge networks)', group: 'Containers',
  flags: [
    FORMAT,
    { name: 'subnet', takesValue: true, value: 'cidr', help: 'create: the subnet, e.g. 10.89.1.0/24 (default: a free /16 from 10.88.0.0 up)' },
    { name: 'gateway', takesValue: true, value: 'ip', help: "create: the bridge's address (default: the subnet's first)" },
    { name: 'label', takesValue: true, repeat: true, help: 'create: metadata KEY=VALUE' },
    { name: 'alias', takesValue: true, repeat: true, help: 'connect: another name the container has on the network' },
    { name: 'ip', takesValue: true, help: 'connect: IPv4 address (e.g., 172.30.100.104) on a user-defined network' },
    { name: 'force', short: 'f', help: 'disconnect: accepted for Docker compatibility' },
  ],
  min: 1, usage: 'network COMMAND [OPTIONS]',
  subcommands: [
    ['create [--subnet CIDR] [--gateway IP] NAME', 'Create a bridge network'],
    ['ls', 'List networks'],
    ['inspect NETWORK...', 'Show networks as JSON, with their CNI configuration and endpoints'],
    ['rm NETWORK...', 'Remove networks (refused while containers are attached)'],
    ['connect [--alias NAME] [--ip IP] NETWORK CONTAINER', 'Attach a running container to a network'],
    ['disconnect NETWORK CONTAINER', 'Detach a running container from a network'],
  ],
  async run(p, ctx) {
    const [sub, ...rest] = p.positionals;
    const need = (n: number, usage: string) => { if (rest.length !== n) throw new UsageError(`usage: nscope network ${usage}`); };
    switch (sub) {
      case 'create': {
        need(1, 'create [--subnet CIDR] [--gateway IP] NAME');
        const labels: Record<string, string> = {};
        for (const l of list(p, 'label') ?? []) { const i = l.indexOf('='); labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1); }
        const n = await (await ctx.client()).request('network.create', { name: rest[0], subnet: str(p, 'subnet'), gateway: str(p, 'gateway'), labels });
        process.stdout.write(n.id + '\n');
        return 0;
      }
      case 'ls': case 'list': {
        const nets = await (await ctx.client()).request('network.list', {});
        if (wantsJson(p)) json(nets);
        else process.stdout.write(table(['NETWORK ID', 'NAME', 'DRIVER', 'SUBNET', 'GATEWAY', 'BRIDGE', 'CONTAINERS', 'CREATED'],
          nets.map((n) => [shortId(n.id), n.name + (n.isDefault ? ' (bridge)' : ''), n.driver, n.subnet, n.gateway, n.bridge, String(n.containers.length), `${ago(n.created)} ago`])));
        return 0;
      }
      case 'inspect': {
        if (!rest.length) throw new UsageError('usage: nscope network inspect NETWORK...');
        const c = await ctx.client();
        const out: NetworkDetail[] = [];
        for (const name of rest) out.push(await c.request('network.inspect', { name }));
        json(out);
        return 0;
      }
      case 'rm': case 'remove':
        if (!rest.length) throw new UsageError('usage: nscope network rm NETWORK...');
        return eachId({ ...p, positionals: rest }, ctx, async (c, name) => { await c.request('network.remove', { name }); process.stdout.write(name + '\n'); });
      case 'connect': {
        need(2, 'connect [--alias NAME] [--ip IP] NETWORK CONTAINER');
        await (await ctx.client()).request('network.connect', { network: rest[0], container: rest[1], aliases: list(p, 'alias'), ip: str(p, 'ip') });
        return 0;
      }
      case 'disconnect': {
        need(2, 'disconnect NETWORK CONTAINER');
        await (await ctx.client()).request('network.disconnect', { network: rest[0], container: rest[1] });
        return 0;
      }
      default: throw new UsageError(`unknown network command "${sub}"`);
    }
  },
};

export const PORT: Command = {
  summary: "List a container's published ports, or where one of its ports is published", group: 'Containers',
  flags: [FORMAT], min: 1, usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  async run(p, ctx) {
    const [id, which, ...extra] = p.positionals;
    if (extra.length) throw new UsageError('usage: nscope port CONTAINER [PRIVATE_PORT[/PROTO]]');
    let ports = await (await ctx.client()).request('container.port', { id });
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
