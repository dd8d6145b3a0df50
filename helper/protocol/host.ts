// Where a client finds the helper, as Docker's contexts say it: a Unix
// socket (`unix:///run/nscope/nscope.sock`, or a bare path), or another
// machine over SSH (`ssh://[user@]host[:port][/path/of/its/socket]`). Over
// SSH every connection — the RPC one and each stream — is its own
// `ssh HOST nscope dial-stdio`, which relays its stdin/stdout to the helper's
// socket there: the remote helper checks that user's credentials as it
// checks any local client's, nothing is weakened. `NSCOPE_SSH_OPTS` adds ssh
// options (e.g. `-F config -i key`), `NSCOPE_REMOTE_COMMAND` names the
// remote `nscope` (default: `nscope` on the remote PATH).
import { spawn } from 'child_process';
import { Duplex } from 'stream';

export type HostAddress =
  | { kind: 'unix'; path: string }
  | { kind: 'ssh'; host: string; user?: string; port?: number; socket?: string };

export class HostError extends Error {}

/** A host URL or socket path, checked; a clear error for anything else. */
export function parseHost(s: string): HostAddress {
  if (typeof s !== 'string' || !s) throw new HostError('empty host: give unix:///path/to/socket or ssh://[user@]host[:port][/socket]');
  if (s.startsWith('/')) return { kind: 'unix', path: s };
  let u: URL;
  try { u = new URL(s); } catch { throw new HostError(`"${s}" is not a host URL: give unix:///path/to/socket or ssh://[user@]host[:port][/socket]`); }
  if (u.protocol === 'unix:') {
    if (!u.pathname || u.pathname === '/') throw new HostError(`"${s}": no socket path`);
    return { kind: 'unix', path: decodeURIComponent(u.pathname) };
  }
  if (u.protocol === 'ssh:') {
    if (!u.hostname) throw new HostError(`"${s}": no host name`);
    if (u.password) throw new HostError(`"${s}": a password in the URL is not accepted; use ssh keys`);
    const port = u.port ? Number(u.port) : undefined;
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new HostError(`"${s}": port ${u.port} is out of range`);
    if (u.search || u.hash) throw new HostError(`"${s}": a query or fragment has no meaning here`);
    const socket = u.pathname && u.pathname !== '/' ? decodeURIComponent(u.pathname) : undefined;
    return { kind: 'ssh', host: u.hostname.replace(/^\[|\]$/g, ''), user: u.username ? decodeURIComponent(u.username) : undefined, port, socket };
  }
  throw new HostError(`"${s}": unsupported scheme ${u.protocol.replace(/:$/, '')} (unix or ssh)`);
}

/** Whether an address reaches a helper on this machine (a socket path), so it can open this machine's files by path. */
export function isLocalSocket(s: string): boolean {
  try { return parseHost(s).kind === 'unix'; } catch { return false; }
}

/** Options split as a shell would for simple words (quotes kept together). */
function words(s: string | undefined): string[] {
  return (s ?? '').match(/"[^"]*"|'[^']*'|\S+/g)?.map((w) => w.replace(/^(["'])(.*)\1$/, '$2')) ?? [];
}

/**
 * One word for the remote shell: ssh joins the remote command's words with
 * spaces and the remote login shell parses the result, so a socket path from a
 * host URL (`%20`, `;`, `$(…)` decoded) is single-quoted to stay one plain word.
 */
export function shellQuote(w: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The ssh command line that reaches the remote helper. */
export function sshArgs(h: Extract<HostAddress, { kind: 'ssh' }>): string[] {
  const remote = words(process.env.NSCOPE_REMOTE_COMMAND || 'nscope');
  return [
    ...words(process.env.NSCOPE_SSH_OPTS), '-o', 'BatchMode=yes', '-T',
    ...(h.port ? ['-p', String(h.port)] : []), ...(h.user ? ['-l', h.user] : []),
    '--', h.host, ...remote, ...(h.socket ? ['--socket', shellQuote(h.socket)] : []), 'dial-stdio',
  ];
}

/**
 * One connection to a remote helper: ssh's stdout and stdin as one duplex
 * stream, ended when ssh ends; if ssh fails, the stream fails with ssh's own
 * last line ("ssh: connect to host … port 22: Connection refused").
 */
export function dialSsh(h: Extract<HostAddress, { kind: 'ssh' }>): Duplex {
  const child = spawn('ssh', sshArgs(h), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => { if (stderr.length < 4000) stderr += d; });
  const d = new Duplex({
    allowHalfOpen: true,
    read() { child.stdout.resume(); },
    // a write to an ssh that has died fails (EPIPE) before its exit is seen: not the stream's error,
    // which is ssh's own reason, given when it exits (a busy machine reached the EPIPE first)
    write(chunk: Buffer, _enc, cb) { if (child.stdin.writable) child.stdin.write(chunk, () => cb()); else cb(); },
    final(cb) { child.stdin.end(); cb(); },
    destroy(err, cb) { if (child.exitCode === null && child.signalCode === null) child.kill(); cb(err); },
  });
  child.stdin.on('error', () => undefined);
  let got = false;
  let ended = false;
  child.stdout.on('data', (b: Buffer) => { got = true; if (!d.push(b)) child.stdout.pause(); });
  // once the helper has spoken, its end is the stream's end (the remote relay may outlive it a moment);
  // before that, the end waits for ssh's exit status: a failure is an error naming ssh's reason
  child.stdout.on('end', () => { if (got && !ended) { ended = true; d.push(null); } });
  child.on('close', (code) => {
    if (ended) return;
    if (code === 0 || code === null) { ended = true; d.push(null); return; }
    const last = stderr.trim().split('\n').filter(Boolean).pop();
    d.destroy(new HostError(`${last ?? `ssh exited with status ${code}`} (reaching ${h.user ? `${h.user}@` : ''}${h.host}${h.port ? `:${h.port}` : ''})`));
  });
  child.on('error', (e) => d.destroy(new HostError(`ssh: ${e.message}`)));
  return d;
}
