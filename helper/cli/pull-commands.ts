// `nscope pull`, `push`, `tag`, and the pull that `run`/`create` do by
// themselves (--pull missing|always|never). Credentials are looked up here,
// as the user, in the user's own files, and sent with the request.
import type { Socket } from 'net';
import { Writable } from 'stream';
import { openStream } from '../protocol/client';
import type { StreamOpenParams } from '../protocol/types/streams';
import type { PullPolicy, TransferLine } from '../protocol/types/registry';
import { credentialsFor } from '../registry/credentials';
import { formatReference, parseReference, parseRepositoryOnly } from '../registry/reference';
import { bool, str, UsageError, type Parsed } from './args';
import type { Command, Ctx } from './command';
import { humanSize } from './format';

/** Reads a transfer's JSON lines; returns the final one. */
export async function readTransfer(sock: Socket, onLine: (l: TransferLine) => void): Promise<TransferLine> {
  let buf = '';
  let last: TransferLine | undefined;
  for await (const chunk of sock) {
    buf += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!text.trim()) continue;
      let l: TransferLine;
      try { l = JSON.parse(text) as TransferLine; } catch { continue; }
      if (l.kind === 'done' || l.kind === 'error') last = l;
      else onLine(l);
    }
  }
  return last ?? { kind: 'error', code: 'failed', message: 'the helper closed the transfer without a result' };
}

/**
 * Shows progress as `docker pull` does: on a terminal one line per layer,
 * redrawn in place; otherwise each status once, no byte counts; nothing
 * when quiet.
 */
export class ProgressView {
  private readonly order: string[] = [];
  private readonly text = new Map<string, string>();
  private drawn = 0;
  private readonly said = new Set<string>();
  constructor(private readonly out: NodeJS.WriteStream, private readonly quiet: boolean) {}

  line(l: TransferLine): void {
    if (this.quiet) return;
    const tty = this.out.isTTY;
    if (l.kind === 'status') { this.flushAbove(); this.out.write(`${l.status}\n`); return; }
    if (l.kind !== 'progress') return;
    const bytes = l.current !== undefined && l.total ? ` ${humanSize(l.current)}/${humanSize(l.total)}` : '';
    const moving = l.status === 'Downloading' || l.status === 'Pushing' || l.status === 'Extracting';
    const msg = `${l.id}: ${l.status === 'Mounted' && l.from ? `Mounted from ${l.from}` : l.status}${tty && moving ? `${bar(l.current, l.total)}${bytes}` : ''}`;
    if (!tty) {
      // as Docker's jsonmessage off a terminal: the statuses drawn as progress bars are left out
      if (moving) return;
      // once per state
      const key = `${l.id} ${l.status}`;
      if (!this.said.has(key)) { this.said.add(key); this.out.write(`${msg}\n`); }
      return;
    }
    if (!this.text.has(l.id)) this.order.push(l.id);
    this.text.set(l.id, msg);
    this.redraw();
  }

  private redraw(): void {
    let s = this.drawn ? `\x1b[${this.drawn}A` : '';
    for (const id of this.order) s += `\x1b[2K${this.text.get(id)}\n`;
    this.drawn = this.order.length;
    this.out.write(s);
  }

  /** A status line goes below the layer lines drawn so far, which then stay as they are. */
  private flushAbove(): void {
    this.order.length = 0;
    this.text.clear();
    this.drawn = 0;
  }
}

function bar(current = 0, total = 0): string {
  if (!total) return '';
  const w = 40;
  const n = Math.min(w, Math.floor((current / total) * w));
  return ` [${'='.repeat(Math.max(0, n - 1))}${n > 0 ? '>' : ''}${' '.repeat(w - n)}]`;
}

/** The registry of a reference, for the credential lookup; a bad reference is the helper's to report. */
function registryOf(ref: string): string | undefined {
  try { return parseReference(ref).registry; } catch { return undefined; }
}

async function authFor(ref: string) {
  const reg = registryOf(ref);
  return reg ? credentialsFor(reg) : undefined;
}

/**
 * Runs a pull or push stream showing its progress on `out`; Ctrl-C closes
 * the stream (the helper cancels, keeping nothing half-made) and ends with
 * 130, as a shell's Ctrl-C does, not with the stream's "Premature close".
 * Returns the exit code, the error printed in one line; `done` is told the
 * last line when it succeeded.
 */
async function transfer(ctx: Ctx, params: StreamOpenParams, o: { out: NodeJS.WriteStream; quiet: boolean; raise?: boolean; done: (l: Extract<TransferLine, { kind: 'done' }>) => void }): Promise<number> {
  const sock = await openStream(ctx.socket, params);
  const view = new ProgressView(o.out, o.quiet);
  let interrupted = false;
  const stop = () => { interrupted = true; sock.destroy(); };
  process.once('SIGINT', stop);
  try {
    let last: TransferLine;
    try {
      last = await readTransfer(sock, (l) => view.line(l));
    } catch (e) {
      if (interrupted) return 130;
      throw e;
    }
    if (last.kind === 'error') {
      // `raise`: the caller says it in its own line, with what the pull was for
      if (o.raise) throw new Error(last.message);
      process.stderr.write(`nscope: ${last.message}\n`);
      return 1;
    }
    if (last.kind === 'done') o.done(last);
    return 0;
  } finally {
    process.off('SIGINT', stop);
  }
}

/** Pulls `ref` showing progress on `out`; returns the exit code (errors printed in one line). */
/** `raise`: a failed pull throws its one-line reason instead of printing it. */
export async function pullWithProgress(ctx: Ctx, ref: string, opts: { platform?: string; quiet?: boolean; out?: NodeJS.WriteStream; raise?: boolean } = {}): Promise<number> {
  const out = opts.out ?? process.stdout;
  return transfer(ctx, { kind: 'pull', ref, platform: opts.platform, auth: await authFor(ref) }, { out, quiet: !!opts.quiet, raise: opts.raise, done: (l) => out.write(`${l.ref}\n`) });
}

/** Where a quiet pull's progress goes: nowhere (not a terminal, so no progress lines are even drawn). */
const SILENT = Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }) as unknown as NodeJS.WriteStream;

export const PLATFORM = { name: 'platform', takesValue: true, value: 'os[/arch[/variant]]', help: "Pull this platform's image from a multi-platform index (default: this host's)" };

/**
 * `--all-tags`: a reference with a tag or digest is refused here already, in
 * Docker's words and with its exit code 1 (the helper checks again).
 */
function repositoryOnly(ref: string): void {
  try { parseRepositoryOnly(ref); } catch (e) {
    // a malformed reference is the helper's to name; only the tag is refused here
    if (/--all-tags/.test((e as Error).message)) throw new Error((e as Error).message);
  }
}

export const PULL: Command = {
  summary: 'Download an image from a registry', group: 'Images',
  flags: [
    { name: 'all-tags', short: 'a', help: 'Download all tagged images in the repository (every tag the registry lists)' },
    PLATFORM,
    { name: 'quiet', short: 'q', help: 'Print only the image reference' },
  ],
  min: 1, usage: 'pull [OPTIONS] NAME[:TAG|@DIGEST]',
  async run(p, ctx) {
    if (p.positionals.length !== 1) throw new UsageError('usage: nscope pull [OPTIONS] NAME[:TAG|@DIGEST]');
    const ref = p.positionals[0];
    if (!bool(p, 'all-tags')) {
      // as docker pull says it, before anything else, when the reference names no tag or digest
      if (!bool(p, 'quiet') && registryOf(ref) !== undefined && !ref.includes('@') && ref.lastIndexOf(':') <= ref.lastIndexOf('/')) process.stdout.write('Using default tag: latest\n');
      return pullWithProgress(ctx, ref, { platform: str(p, 'platform'), quiet: bool(p, 'quiet') });
    }
    repositoryOnly(ref);
    // as docker pull -a: each tag's lines, one Status line for the repository, then its name
    return transfer(ctx, { kind: 'pull', ref, platform: str(p, 'platform'), auth: await authFor(ref), allTags: true }, {
      out: process.stdout, quiet: bool(p, 'quiet'), done: (l) => process.stdout.write(`${l.ref}\n`),
    });
  },
};

export const PUSH: Command = {
  summary: 'Upload an image to a registry', group: 'Images',
  flags: [
    { name: 'all-tags', short: 'a', help: 'Push all tags of an image to the repository (NAME without a tag; DESTINATION, if given, a repository too)' },
    { name: 'platform', takesValue: true, value: 'os[/arch[/variant]]', help: "Push the image only if it is of this platform (nscope's images are single-platform: no index is pushed)" },
    { name: 'quiet', short: 'q', help: 'Print only the pushed reference and digest' },
  ],
  min: 1, usage: 'push [OPTIONS] NAME[:TAG] [DESTINATION]',
  async run(p, ctx) {
    const [ref, dest, ...extra] = p.positionals;
    if (extra.length) throw new UsageError('usage: nscope push [OPTIONS] NAME[:TAG] [DESTINATION]');
    const quiet = bool(p, 'quiet');
    const allTags = bool(p, 'all-tags');
    if (allTags) { repositoryOnly(ref); if (dest !== undefined) repositoryOnly(dest); }
    const platform = str(p, 'platform');
    return transfer(ctx, { kind: 'push', ref, dest, auth: await authFor(dest ?? ref), ...(allTags ? { allTags } : {}), ...(platform ? { platform } : {}) }, {
      out: process.stdout, quiet, done: (l) => {
        if (!quiet) return;
        for (const t of l.tags ?? [l]) process.stdout.write(`${t.ref}@${t.digest}\n`);
      },
    });
  },
};

export async function tagImage(ctx: Ctx, rest: string[]): Promise<number> {
  if (rest.length !== 2) throw new UsageError('usage: nscope tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]');
  await (await ctx.client()).request('image.tag', { ref: rest[0], name: rest[1] });
  return 0;
}

export const TAG: Command = {
  summary: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', group: 'Images',
  flags: [], min: 2, usage: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  run: (p, ctx) => tagImage(ctx, p.positionals),
};

/** `--pull` and `--platform` for run/create. */
export const PULL_FLAGS = [
  { name: 'pull', takesValue: true, value: 'missing|always|never', help: 'Pull the image before creating: missing (default), always, never' },
  PLATFORM,
];

export function pullPolicy(p: Parsed): PullPolicy {
  const v = str(p, 'pull') ?? 'missing';
  if (v !== 'missing' && v !== 'always' && v !== 'never') throw new UsageError(`--pull: "${v}" is not one of missing, always, never`);
  return v;
}

/**
 * Creates through `create`, pulling first as the policy says: `always`
 * pulls, `missing` pulls when the helper answers that the image is not
 * there (as Docker: "Unable to find image … locally"), `never` does not.
 */
export async function withPull<T>(ctx: Ctx, p: Parsed, image: string, create: () => Promise<T>): Promise<T> {
  const policy = pullPolicy(p);
  // -q: nothing of the pull on the terminal (its failure still is)
  const quiet = bool(p, 'quiet');
  const pull = async () => {
    const code = await pullWithProgress(ctx, image, { platform: str(p, 'platform'), out: quiet ? SILENT : process.stderr });
    if (code !== 0) throw new PullFailed();
  };
  if (policy === 'always') await pull();
  try {
    return await create();
  } catch (e) {
    const kind = (e as { data?: { kind?: string } }).data?.kind ?? (e as { code?: string }).code;
    const missing = /^No such image: /.test((e as Error).message) && (kind === undefined || kind === 'not_found' || typeof kind === 'number');
    if (policy !== 'missing' || !missing || registryOf(image) === undefined) throw e;
    // Docker names it with the tag it will pull: 'alpine:latest' for `run alpine`
    if (!quiet) process.stderr.write(`Unable to find image '${formatReference(parseReference(image))}' locally\n`);
    await pull();
    return create();
  }
}

/** The pull already printed why it failed. */
export class PullFailed extends Error {
  constructor() { super('pull failed'); }
}
