// `nscope version`: Docker's two sections, the client's (this CLI) and the
// server's (the helper it talks to), or one Go template / JSON document over
// them (`--format '{{.Server.Version}}'`, as scripts ask `docker version`).
// An unreachable helper still leaves the client's part printed, then the
// error, exit 1, as Docker does.
import * as os from 'os';
import type { SystemInfo } from '../protocol';
import { FlagError, str } from './args';
import type { Command, Ctx } from './command';
import { loadContexts } from './contexts';
import { goMap, parseTemplate, TemplateError, unescapeFormat } from '../lib/go-template';

// the helper's version is the CLI's: one package
export { VERSION as VERSION_NUMBER } from '../server/daemon';
import { VERSION as VERSION_NUMBER } from '../server/daemon';

const ARCH: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
const arch = () => ARCH[process.arch] ?? process.arch;

function client(ctx: Ctx): Record<string, unknown> {
  return { Version: VERSION_NUMBER, NodeVersion: process.version, Os: os.platform(), Arch: arch(), Context: process.env.NSCOPE_CONTEXT || loadContexts().current || 'default', Socket: ctx.socket };
}

function server(i: SystemInfo): Record<string, unknown> {
  return {
    Platform: { Name: 'nscope helper' }, Version: i.version, KernelVersion: i.kernel, Os: 'linux', Arch: arch(),
    CgroupVersion: String(i.cgroupVersion), Pid: i.pid, Root: i.root,
    Components: [{ Name: 'Engine', Version: i.version, Details: goMap({ KernelVersion: i.kernel }) }],
  };
}

function text(c: Record<string, unknown>, s?: Record<string, unknown>): string {
  const rows = (pairs: [string, unknown][]) => pairs.map(([k, v]) => ` ${`${k}:`.padEnd(18)} ${String(v)}\n`).join('');
  let out = `Client:\n${rows([['Version', c.Version], ['Node version', c.NodeVersion], ['OS/Arch', `${c.Os}/${c.Arch}`], ['Context', c.Context]])}`;
  if (s) out += `\nServer: ${(s.Platform as { Name: string }).Name}\n${rows([['Version', s.Version], ['Kernel version', s.KernelVersion], ['OS/Arch', `${s.Os}/${s.Arch}`], ['Cgroup version', s.CgroupVersion], ['Root', s.Root]])}`;
  return out;
}

export const VERSION: Command = {
  summary: 'Show the nscope version information (the CLI\'s and the helper\'s)', group: 'Helper',
  flags: [{ name: 'format', short: 'f', takesValue: true, value: 'string', help: 'Format the output: "json", or a Go template, e.g. \'{{.Server.Version}}\'' }],
  usage: 'version [OPTIONS]',
  async run(p, ctx) {
    const f = str(p, 'format');
    let template;
    if (f && f !== 'json') {
      try { template = parseTemplate(unescapeFormat(f)); } catch (e) {
        if (e instanceof TemplateError) throw new FlagError(`--format: ${e.message}`);
        throw e;
      }
    }
    const c = client(ctx);
    let s: Record<string, unknown> | undefined;
    let failure: Error | undefined;
    try { s = server(await (await ctx.client()).request('system.info', {})); } catch (e) { failure = e as Error; }
    const doc = { Client: c, Server: s ?? null };
    if (f === 'json') process.stdout.write(`${JSON.stringify(doc)}\n`);
    else if (template) {
      try { process.stdout.write(`${template.execute(doc)}\n`); } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        process.stderr.write(`nscope: ${e.message}\n`);
        return 1;
      }
    } else process.stdout.write(text(c, s));
    if (failure) { process.stderr.write(`nscope: ${failure.message}\n`); return 1; }
    return 0;
  },
};
