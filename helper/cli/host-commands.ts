// `nscope context …` (named helpers, ./contexts.ts) and `nscope dial-stdio`
// (what `ssh HOST nscope dial-stdio` runs on the other machine: this
// process's stdin and stdout relayed to the helper's local socket, each
// direction half-closed when its side ends).
import * as net from 'net';
import { parseHost } from '../protocol/host';
import { bool, str, UsageError, type Parsed } from './args';
import type { Command, Ctx } from './command';
import { json, wantsJson, FORMAT } from './command';
import { checkContextName, contextsFile, loadContexts, saveContexts } from './contexts';
import { table } from './format';

const CONTEXT_USAGE = 'usage: nscope context create NAME --host URL [--description TEXT] | ls [-q] | use NAME | rm [-f] NAME... | inspect [NAME]';

async function context(p: Parsed, ctx: Ctx): Promise<number> {
  const [sub, name, ...extra] = p.positionals;
  const f = loadContexts();
  const needName = () => { if (!name) throw new UsageError(`context ${sub}: a NAME is needed\n${CONTEXT_USAGE}`); checkContextName(name); };
  // rm takes several names, as docker context rm does
  if (extra.length && sub !== 'rm' && sub !== 'remove') throw new UsageError(CONTEXT_USAGE);
  switch (sub) {
    case 'create': {
      needName();
      if (name === 'default') throw new UsageError('"default" is the local helper: it cannot be created');
      if (f.contexts[name]) throw new UsageError(`context "${name}" already exists`);
      const host = str(p, 'host');
      if (!host) throw new UsageError('context create: --host URL is needed (ssh://user@host or unix:///path)');
      try { parseHost(host); } catch (e) { throw new UsageError(`--host: ${(e as Error).message}`); }
      f.contexts[name] = { host, ...(str(p, 'description') ? { description: str(p, 'description') } : {}) };
      saveContexts(f);
      process.stdout.write(`${name}\n`);
      return 0;
    }
    case 'ls': case 'list': {
      const current = process.env.NSCOPE_CONTEXT ?? f.current ?? 'default';
      const rows = [{ name: 'default', host: ctx.socket.startsWith('/') ? `unix://${ctx.socket}` : ctx.socket, description: 'The local helper' }, ...Object.entries(f.contexts).map(([n, c]) => ({ name: n, host: c.host, description: c.description ?? '' }))];
      if (wantsJson(p)) { json(rows.map((r) => ({ ...r, current: r.name === current }))); return 0; }
      if (bool(p, 'quiet')) { process.stdout.write(rows.map((r) => `${r.name}\n`).join('')); return 0; }
      process.stdout.write(table(['NAME', 'DESCRIPTION', 'HOST'], rows.map((r) => [r.name === current ? `${r.name} *` : r.name, r.description, r.host])));
      return 0;
    }
    case 'use': {
      needName();
      if (name !== 'default' && !f.contexts[name]) throw new UsageError(`context "${name}" not found (nscope context ls)`);
      f.current = name === 'default' ? undefined : name;
      saveContexts(f);
      process.stdout.write(`${name}\n`);
      if (process.env.NSCOPE_HOST || process.env.NSCOPE_CONTEXT) process.stderr.write('nscope: warning: NSCOPE_HOST or NSCOPE_CONTEXT is set and overrides the current context\n');
      return 0;
    }
    case 'rm': case 'remove': {
      needName();
      // each checked before any is removed: a bad name among them removes none
      const names = [name, ...extra];
      for (const n of names) {
        checkContextName(n);
        if (n === 'default') throw new UsageError('"default" cannot be removed');
        if (!f.contexts[n]) throw new UsageError(`context "${n}" not found`);
        if (f.current === n && !bool(p, 'force')) throw new UsageError(`context "${n}" is in use, set -f flag to force remove`);
      }
      for (const n of names) {
        delete f.contexts[n];
        if (f.current === n) f.current = undefined;
      }
      saveContexts(f);
      process.stdout.write(names.map((n) => `${n}\n`).join(''));
      return 0;
    }
    case 'inspect': {
      const n = name ?? f.current ?? 'default';
      if (n !== 'default' && !f.contexts[n]) throw new UsageError(`context "${n}" not found`);
      json([{ name: n, ...(n === 'default' ? { host: ctx.socket } : f.contexts[n]), file: contextsFile() }]);
      return 0;
    }
    default: throw new UsageError(CONTEXT_USAGE);
  }
}

async function dialStdio(_p: Parsed, ctx: Ctx): Promise<number> {
  if (!ctx.socket.startsWith('/')) throw new UsageError('dial-stdio relays to the local helper\'s socket: give --socket PATH');
  const sock = net.connect({ path: ctx.socket, allowHalfOpen: true });
  await new Promise<void>((resolve, reject) => { sock.once('connect', () => resolve()); sock.once('error', (e) => reject(new Error(`cannot connect to the nscope helper at ${ctx.socket}: ${e.message}`))); });
  process.stdin.pipe(sock);
  sock.pipe(process.stdout);
  // the helper ending its side ends the relay: ssh then ends too (the client may never close its own side)
  await new Promise<void>((resolve) => { sock.once('end', () => resolve()); sock.once('close', () => resolve()); });
  await new Promise<void>((resolve) => { if (process.stdout.writableNeedDrain) process.stdout.once('drain', () => resolve()); else resolve(); });
  process.stdin.destroy();
  sock.destroy();
  return 0;
}

export const HOST_COMMANDS: Record<string, Command> = {
  context: {
    summary: 'Manage contexts: named helpers, local or over ssh (like docker context)', group: 'Helper', min: 1,
    usage: 'context create NAME --host URL [--description TEXT] | ls [-q] | use NAME | rm [-f] NAME... | inspect [NAME]',
    flags: [
      { name: 'host', takesValue: true, value: 'url', help: 'create: ssh://[user@]host[:port][/socket] or unix:///path' },
      { name: 'description', takesValue: true, help: 'create: what the context is' },
      { name: 'quiet', short: 'q', help: 'ls: only the names' },
      { name: 'force', short: 'f', help: 'rm: remove the context in use too (the local helper is used then)' },
      FORMAT,
    ],
    run: context,
  },
  'dial-stdio': {
    summary: 'Relay stdin/stdout to the local helper\'s socket (what a remote client runs over ssh)', group: 'Helper',
    usage: 'dial-stdio', flags: [], run: dialStdio,
  },
};
