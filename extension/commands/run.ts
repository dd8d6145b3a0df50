// nscope.run: a new container from an image (the image node it was invoked
// on, or one picked), asking for the command, a name and the limits, each
// validated as typed; then created and started with progress.
// nscope.runInteractive: `run -it --rm` of an image's own command (a shell
// where it has none) in a terminal (../terminal/run-pty.ts).
import * as vscode from 'vscode';
import type { LimitArgs, RunOptions } from '../../helper/protocol/types';
import { splitCommand } from '../command-line';
import type { Connection } from '../connection';
import type { HostConnections } from '../host-connections';
import { limitArgs, validateLimit, type LimitKind } from '../limits';
import { ImageNode, imagePick } from '../views/images';
import { RunPty } from '../terminal/run-pty';
import { guarded } from './errors';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

async function pickImage(conn: Connection, arg: unknown, title = 'Run Container (1/4)'): Promise<string | undefined> {
  if (arg instanceof ImageNode) return arg.ref;
  if (typeof arg === 'string') return arg;
  const list = await conn.request('image.list', {});
  if (!list.length) {
    const build = await vscode.window.showInformationMessage('nscope: no images yet. Build one from this machine\'s programs?', 'Build Host Image');
    if (build) await vscode.commands.executeCommand('nscope.hostImage');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(list.map((i) => ({ ...imagePick(i), description: `${i.layers} layer${i.layers === 1 ? '' : 's'}` })), { placeHolder: 'Image to run', title });
  return pick?.ref;
}

async function askLimit(kind: LimitKind, prompt: string, step: string): Promise<LimitArgs | null> {
  const v = await vscode.window.showInputBox({
    title: `Run Container (${step})`, prompt, placeHolder: 'none', ignoreFocusOut: true,
    validateInput: (s) => (s.trim() === '' ? undefined : validateLimit(kind, s)),
  });
  if (v === undefined) return null;
  return v.trim() === '' ? {} : limitArgs(kind, v);
}

/** The image's command (Entrypoint + Cmd), as run would take it. */
async function imageCommand(conn: Connection, image: string): Promise<string[]> {
  const detail = await conn.request('image.inspect', { ref: image });
  const cfg = (detail.config as { config?: { Cmd?: string[] | null; Entrypoint?: string[] | null } }).config ?? {};
  return [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])];
}

export function registerRunCommands(hosts: HostConnections): vscode.Disposable[] {
  return [registerRun(hosts), registerRunInteractive(hosts)];
}

function registerRunInteractive(hosts: HostConnections): vscode.Disposable {
  return vscode.commands.registerCommand('nscope.runInteractive', guarded('run interactive', async (arg?: unknown) => {
    const conn = await hosts.forCommand(arg, 'Run Interactive');
    if (!conn) return;
    const image = await pickImage(conn, arg, 'Run Interactive');
    if (!image) return;
    // an image without a command of its own (Docker refuses to run one) gets a shell: the point is to look inside
    const cmd = (await imageCommand(conn, image)).length ? undefined : ['/bin/sh'];
    const pty = new RunPty(conn, { image, ...(cmd ? { cmd } : {}) });
    const on = conn.hostName ? ` on ${conn.hostName}` : '';
    const term = vscode.window.createTerminal({ name: `${image}${on}: run`, pty, iconPath: new vscode.ThemeIcon('vm-running') });
    term.show();
  }));
}

function registerRun(hosts: HostConnections): vscode.Disposable {
  return vscode.commands.registerCommand('nscope.run', guarded('run', async (arg?: unknown) => {
    const conn = await hosts.forCommand(arg, 'Run Container');
    if (!conn) return;
    const image = await pickImage(conn, arg);
    if (!image) return;
    const dflt = (await imageCommand(conn, image)).join(' ');
    const cmdText = await vscode.window.showInputBox({
      // empty runs the image's own command, as `docker run IMAGE` does; an image without one (the host
      // image) gets something that keeps it up to look into
      title: 'Run Container (2/4)', prompt: `Command (empty: the image's${dflt ? `, ${dflt}` : ''})`, value: dflt ? '' : 'sleep infinity', ignoreFocusOut: true,
      validateInput: (s) => { try { splitCommand(s); return undefined; } catch (e) { return (e as Error).message; } },
    });
    if (cmdText === undefined) return;
    const names = new Set((await conn.request('container.list', { all: true })).map((c) => c.name));
    const name = await vscode.window.showInputBox({
      title: 'Run Container (3/4)', prompt: 'Name (empty: a random one)', ignoreFocusOut: true,
      validateInput: (s) => (s === '' ? undefined : !NAME.test(s) ? 'letters, digits, _ . - (starting with a letter or digit)' : names.has(s) ? `"${s}" is in use` : undefined),
    });
    if (name === undefined) return;
    const memory = await askLimit('memory', 'Memory limit, e.g. 64m (empty: none)', '4/4: memory');
    if (memory === null) return;
    const cpus = await askLimit('cpus', 'CPUs, e.g. 0.5 (empty: no limit)', '4/4: cpus');
    if (cpus === null) return;
    const cmd = splitCommand(cmdText);
    const opts: RunOptions = { image, ...(cmd.length ? { cmd } : {}), ...(name ? { name } : {}), ...memory, ...cpus };
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `nscope: running ${image}` }, async () => {
      const { id } = await conn.request('container.create', opts);
      await conn.request('container.start', { id });
    });
  }));
}
