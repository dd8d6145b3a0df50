// `nscope diff` (Docker's format) and `nscope file ls|stat|cat` (a container's
// or an image's files, merged or one layer).
import { str, UsageError, bool, type Parsed } from './args';
import { FORMAT, json, wantsJson, type Command } from './command';
import type { FileInfo, FileSource } from '../protocol/types/diff';
import { table } from './format';

function modeString(f: FileInfo): string {
  const t = { dir: 'd', symlink: 'l', char: 'c', block: 'b', fifo: 'p', socket: 's', whiteout: 'w', file: '-' }[f.type];
  const rwx = (n: number, s: boolean, ch: string) => `${n & 4 ? 'r' : '-'}${n & 2 ? 'w' : '-'}${s ? (n & 1 ? ch : ch.toUpperCase()) : n & 1 ? 'x' : '-'}`;
  const m = f.mode;
  return t + rwx(m >> 6, (m & 0o4000) !== 0, 's') + rwx(m >> 3, (m & 0o2000) !== 0, 's') + rwx(m, (m & 0o1000) !== 0, 't');
}

const fromText = (f: FileInfo) => (typeof f.from.layer === 'number' ? `${f.from.layer}` : f.from.layer);

function source(p: Parsed, ref: string): FileSource {
  const layer = str(p, 'layer');
  const view = str(p, 'view') as FileSource['view'];
  const src: FileSource = bool(p, 'image') ? { image: ref } : { container: ref };
  if (view) src.view = view;
  if (layer !== undefined) {
    src.layer = /^\d+$/.test(layer) ? Number(layer) : layer;
    src.view ??= bool(p, 'image') ? 'image' : 'layer';
  }
  return src;
}

export const DIFF_COMMANDS: Record<string, Command> = {
  diff: {
    summary: "Inspect changes to files or directories on a container's filesystem (A, C, D)", group: 'Files',
    flags: [FORMAT], min: 1, usage: 'diff [OPTIONS] CONTAINER',
    async run(p, ctx) {
      if (p.positionals.length !== 1) throw new UsageError('"nscope diff" requires exactly 1 argument\nUsage: nscope diff [--format json] CONTAINER');
      const asJson = wantsJson(p);
      const r = await (await ctx.client()).request('container.diff', { id: p.positionals[0], details: asJson });
      if (asJson) json(r.changes);
      else process.stdout.write(r.changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
      return 0;
    },
  },
  file: {
    summary: "Read a container's or an image's files, merged or one layer alone", group: 'Files',
    flags: [
      FORMAT,
      { name: 'image', help: 'REF is an image, not a container' },
      { name: 'layer', takesValue: true, help: 'One layer alone: its index, a digest or diff_id prefix, init or rw (with --image: the image cut at that layer)' },
      { name: 'view', takesValue: true, help: 'container (the default: rw over init over image), image (as the image has it) or layer' },
      { name: 'nofollow', help: 'stat: a symlink itself, not what it points to' },
    ],
    min: 3,
    usage: 'file COMMAND [OPTIONS] CONTAINER|IMAGE PATH',
    subcommands: [
      ['ls', 'List a directory: mode, owner, size and the layer each entry comes from'],
      ['stat', 'One file: mode, owner, size, mtime and its layer'],
      ['cat', "Print a file's content"],
    ],
    async run(p, ctx) {
      const [sub, ref, path] = p.positionals;
      const c = await ctx.client();
      const src = source(p, ref);
      switch (sub) {
        case 'ls': {
          const r = await c.request('file.list', { ...src, path });
          if (wantsJson(p)) json(r);
          else process.stdout.write(table(['MODE', 'UID', 'GID', 'SIZE', 'LAYER', 'NAME'], r.entries.map((f) => [
            modeString(f), String(f.uid), String(f.gid), String(f.size), fromText(f), f.target !== undefined ? `${f.name} -> ${f.target}` : f.name])));
          return 0;
        }
        case 'stat': {
          const f = await c.request('file.stat', { ...src, path, nofollow: bool(p, 'nofollow') });
          if (wantsJson(p)) json(f);
          else process.stdout.write(`${modeString(f)} ${f.uid} ${f.gid} ${f.size} ${f.mtime} layer ${fromText(f)}${f.from.diffId ? ` (${f.from.diffId})` : ''} ${f.path}${f.target !== undefined ? ` -> ${f.target}` : ''}\n`);
          return 0;
        }
        case 'cat': {
          for (let offset = 0; ;) {
            const r = await c.request('file.read', { ...src, path, offset });
            const data = Buffer.from(r.data, 'base64');
            if (data.length && !process.stdout.write(data)) await new Promise((res) => process.stdout.once('drain', res));
            offset += r.length;
            if (r.eof || r.length === 0) return 0;
          }
        }
        default:
          throw new UsageError(`nscope file: unknown subcommand "${sub}" (ls, stat, cat)`);
      }
    },
  },
};
