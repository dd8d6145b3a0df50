// `nscope info`: Docker's two sections (the client, then the helper it talks
// to: containers, images, storage, cgroups, security, the machine), or
// `--format` json / a Go template over Docker's field names
// (`{{.ServerVersion}}`, `{{.NCPU}}`, `{{.CgroupVersion}}`), as scripts ask
// `docker info`. The machine's facts come from the helper (a remote one too).
import type { SystemInfo } from '../protocol';
import type { Command } from './command';
import { humanSize } from './format';
import { listFormat } from './list-format';
import { loadContexts } from './contexts';
import { VERSION_NUMBER } from './version-command';
import { goMap, TemplateError } from '../lib/go-template';

/** Docker's `docker info` document from the helper's SystemInfo. */
export function dockerInfo(i: SystemInfo): Record<string, unknown> {
  const paused = i.containers.paused ?? 0;
  return {
    ID: '', Containers: i.containers.total, ContainersRunning: i.containers.running - paused, ContainersPaused: paused,
    ContainersStopped: i.containers.total - i.containers.running, Images: i.images,
    Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']], LoggingDriver: 'json-file', CgroupDriver: 'cgroupfs', CgroupVersion: String(i.cgroupVersion),
    KernelVersion: i.kernel, OperatingSystem: i.host?.os ?? '', OSType: 'linux', Architecture: i.host?.arch ?? '',
    NCPU: i.host?.cpus ?? 0, MemTotal: i.host?.memTotal ?? 0, Name: i.host?.name ?? '', DockerRootDir: i.root,
    ServerVersion: i.version, Runtimes: goMap({ nscope: { path: 'nscope-shim' } }), DefaultRuntime: 'nscope',
    SecurityOptions: (i.security ?? []).map((s) => `name=${s}${s === 'seccomp' ? ',profile=builtin' : ''}`),
    Nscope: { pid: i.pid, socket: i.socket, peer: i.peer },
    ClientInfo: { Version: VERSION_NUMBER, Context: process.env.NSCOPE_CONTEXT || loadContexts().current || 'default' },
  };
}

function text(d: Record<string, unknown>, security: string[]): string {
  const lines = [
    'Client:', ` Version:    ${(d.ClientInfo as { Version: string }).Version}`, ` Context:    ${(d.ClientInfo as { Context: string }).Context}`, '',
    'Server:', ` Containers: ${d.Containers}`, `  Running: ${d.ContainersRunning}`, `  Paused: ${d.ContainersPaused}`, `  Stopped: ${d.ContainersStopped}`,
    ` Images: ${d.Images}`, ` Server Version: ${d.ServerVersion}`, ` Storage Driver: ${d.Driver}`, ` Logging Driver: ${d.LoggingDriver}`,
    ` Cgroup Driver: ${d.CgroupDriver}`, ` Cgroup Version: ${d.CgroupVersion}`, ' Runtimes: nscope', ` Default Runtime: ${d.DefaultRuntime}`,
    ' Security Options:', ...security.flatMap((s) => [`  ${s}`, ...(s === 'seccomp' ? ['   Profile: builtin'] : [])]),
    ` Kernel Version: ${d.KernelVersion}`, ` Operating System: ${d.OperatingSystem}`, ` OSType: ${d.OSType}`, ` Architecture: ${d.Architecture}`,
    ` CPUs: ${d.NCPU}`, ` Total Memory: ${humanSize(d.MemTotal as number)}`, ` Name: ${d.Name}`, ` Docker Root Dir: ${d.DockerRootDir}`,
    ` Helper: pid ${(d.Nscope as { pid: number }).pid}, socket ${(d.Nscope as { socket: string }).socket}`,
  ];
  return lines.join('\n') + '\n';
}

export const INFO: Command = {
  summary: 'Display system-wide information: the helper, its containers and images, its machine', group: 'Helper',
  flags: [{ name: 'format', short: 'f', takesValue: true, value: 'string', help: 'Format the output: "json", or a Go template over Docker\'s fields, e.g. \'{{.ServerVersion}}\', \'{{.NCPU}}\'' }],
  usage: 'info [OPTIONS]',
  async run(p, ctx) {
    const fmt = listFormat(p, { unescape: false });
    const i = await (await ctx.client()).request('system.info', {});
    const d = dockerInfo(i);
    if (fmt.kind === 'json') process.stdout.write(`${JSON.stringify(d)}\n`);
    else if (fmt.kind === 'template') {
      try { process.stdout.write(`${fmt.template.execute(d)}\n`); } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        process.stderr.write(`nscope: ${e.message}\n`);
        return 1;
      }
    }
    else process.stdout.write(text(d, i.security ?? []));
    return 0;
  },
};
