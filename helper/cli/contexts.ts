// Contexts, as Docker's: named helpers (a host URL each, ../protocol/host.ts)
// kept in ~/.nscope/contexts.json (mode 0600), one of them current. Which
// helper a command talks to, first match wins: --host, --socket, NSCOPE_HOST,
// --context, NSCOPE_CONTEXT, the current context, NSCOPE_SOCKET, the default
// socket. The context "default" is that last one and cannot be changed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseHost } from '../protocol/host';
import { UsageError } from './args';

export interface ContextEntry { host: string; description?: string }
interface ContextFile { current?: string; contexts: Record<string, ContextEntry> }

export function contextsFile(): string {
  return path.join(process.env.NSCOPE_CONFIG || path.join(os.homedir(), '.nscope'), 'contexts.json');
}

export function loadContexts(): ContextFile {
  try {
    const f = JSON.parse(fs.readFileSync(contextsFile(), 'utf8')) as ContextFile;
    return { current: typeof f.current === 'string' ? f.current : undefined, contexts: f.contexts && typeof f.contexts === 'object' ? f.contexts : {} };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw new UsageError(`${contextsFile()}: ${(e as Error).message}`);
  }
}

export function saveContexts(f: ContextFile): void {
  const file = contextsFile();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(f, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function checkContextName(name: string): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/.test(name)) throw new UsageError(`"${name}" is not a context name (letters, digits, _ . + -)`);
}

/** The helper a command talks to: a socket path or a host URL. */
export function resolveHost(o: { host?: string; socket?: string; context?: string }, defaultSocket: string): string {
  const check = (h: string, where: string) => { try { parseHost(h); } catch (e) { throw new UsageError(`${where}: ${(e as Error).message}`); } return h; };
  if (o.host) return check(o.host, '--host');
  if (o.socket) return o.socket;
  if (process.env.NSCOPE_HOST) return check(process.env.NSCOPE_HOST, 'NSCOPE_HOST');
  const named = o.context ?? process.env.NSCOPE_CONTEXT ?? loadContexts().current;
  if (named && named !== 'default') {
    const c = loadContexts().contexts[named];
    if (!c) throw new UsageError(`context "${named}" not found (nscope context ls)`);
    return check(c.host, `context ${named}`);
  }
  return process.env.NSCOPE_SOCKET || defaultSocket;
}
