// Running CNI plugins as a container runtime does (the CNI spec, "Execution
// protocol" and "Network configuration lists"): the command, container id,
// netns path and interface name in the environment, one plugin's config on
// stdin. A list is run plugin by plugin with the previous plugin's result
// chained in as `prevResult`; DEL goes in reverse order; CHECK and DEL are
// given the result the ADD produced. No cache of libcni's: the caller keeps
// that result (attachments.ts) and passes it back.
import { spawn } from 'child_process';
import * as fs from 'fs';
import { NscopeError } from '../errors';

/** Where Debian's containernetworking-plugins puts them; NSCOPE_CNI_PATH overrides (colon-separated, as CNI_PATH). */
export const CNI_PATH = process.env.NSCOPE_CNI_PATH || '/usr/lib/cni';

export interface PluginConf { type: string; capabilities?: Record<string, boolean>; [k: string]: unknown }
export interface ConfList { cniVersion: string; name: string; plugins: PluginConf[] }

export interface CniIp { address: string; gateway?: string; interface?: number }
export interface CniResult {
  cniVersion: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: CniIp[];
  routes?: unknown[];
  dns?: unknown;
}

export interface CniCall {
  containerId: string;
  /** the netns path the plugins enter */
  netns: string;
  ifname: string;
  /** per-call data plugins ask for by capability (portMappings, …) */
  runtimeConfig?: Record<string, unknown>;
}

type Command = 'ADD' | 'DEL' | 'CHECK';

export function pluginPath(type: string): string {
  for (const dir of CNI_PATH.split(':')) {
    const p = `${dir}/${type}`;
    if (fs.existsSync(p)) return p;
  }
  throw new NscopeError('unsupported', `the CNI plugin "${type}" is not installed in ${CNI_PATH} (apt-get install containernetworking-plugins)`);
}

/** One plugin of a list, with the list's name and version and the runtime config it has the capability for. */
function pluginInput(list: ConfList, p: PluginConf, call: CniCall, prevResult?: CniResult): string {
  const conf: Record<string, unknown> = { ...p, name: list.name, cniVersion: list.cniVersion };
  const rc: Record<string, unknown> = {};
  for (const [k, on] of Object.entries(p.capabilities ?? {})) if (on && call.runtimeConfig?.[k] !== undefined) rc[k] = call.runtimeConfig[k];
  if (Object.keys(rc).length) conf.runtimeConfig = rc;
  if (prevResult) conf.prevResult = prevResult;
  return JSON.stringify(conf);
}

function execPlugin(cmd: Command, list: ConfList, p: PluginConf, call: CniCall, prevResult?: CniResult): Promise<CniResult | undefined> {
  const file = pluginPath(p.type);
  const env = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: cmd, CNI_CONTAINERID: call.containerId, CNI_NETNS: call.netns, CNI_IFNAME: call.ifname, CNI_PATH,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', (e) => reject(new NscopeError('failed', `CNI ${p.type} ${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) {
        try { resolve(out.trim() ? JSON.parse(out) as CniResult : undefined); } catch { reject(new NscopeError('failed', `CNI ${p.type} ${cmd}: its output is not JSON`)); }
        return;
      }
      // the spec's error object: {code, msg, details}
      let msg = err.trim() || `exit status ${code}`;
      try { const e = JSON.parse(out) as { msg?: string; details?: string }; if (e.msg) msg = e.details ? `${e.msg}: ${e.details}` : e.msg; } catch { /* not JSON */ }
      reject(new NscopeError('failed', `CNI ${p.type} ${cmd}: ${msg.replace(/\s*\n\s*/g, ' ')}`));
    });
    child.stdin.on('error', () => { /* the plugin exited without reading */ });
    child.stdin.end(pluginInput(list, p, call, prevResult));
  });
}

/** ADD through the list: each plugin gets the one before's result. */
export async function addList(list: ConfList, call: CniCall): Promise<CniResult> {
  let result: CniResult | undefined;
  for (const p of list.plugins) result = (await execPlugin('ADD', list, p, call, result)) ?? result;
  if (!result) throw new NscopeError('failed', `CNI ${list.name}: the plugins returned no result`);
  return result;
}

/** DEL in reverse order. Every plugin is asked even when one fails (each cleans its own part); the first error is thrown after. */
export async function delList(list: ConfList, call: CniCall, prevResult?: CniResult): Promise<void> {
  let first: unknown;
  for (const p of [...list.plugins].reverse()) {
    try { await execPlugin('DEL', list, p, call, prevResult); } catch (e) { first ??= e; }
  }
  if (first) throw first;
}

export async function checkList(list: ConfList, call: CniCall, prevResult: CniResult): Promise<void> {
  // portmap 1.1.x's CHECK also looks for its chain in ip6tables for an
  // IPv4-only container and always fails there: not asked (its rules are
  // still removed by DEL)
  for (const p of list.plugins) if (p.type !== 'portmap') await execPlugin('CHECK', list, p, call, prevResult);
}
