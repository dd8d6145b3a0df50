// Images in and out as files, with Docker's commands:
//   save [-o FILE] IMAGE…      an OCI image layout tar with Docker's manifest.json
//                              (helper/images/export.ts), to FILE or stdout
//   load [-i FILE]             an image archive (OCI layout or `docker save`) in, from FILE or stdin
//   import FILE|- [REPO[:TAG]] a filesystem tarball (`nscope export`'s) as an image of one layer
//                              (helper/rootfs/import-image.ts), with -c/-m/--platform
// `image save`, `image load` and `image import` are the same commands; `image
// import FILE` alone (nscope's older word for load) still loads an archive.
import * as path from 'path';
import type { ImageSummaryInfo } from '../protocol';
import { ArchiveTargetError, exportToPath, receiveExport } from '../images/receive-export';
import { isLocalSocket } from '../protocol/host';
import { sendImport } from '../images/send-import';
import { list, str, UsageError, type Parsed } from './args';
import type { Command, Ctx } from './command';
import { shortId } from './format';
import { isImageArchive } from '../images/archive-kind';

/**
 * Streams the archive of `refs` from the helper into `file` (written whole,
 * then renamed into place) or stdout ('-'); `platform`: the images must be of it.
 */
export async function writeImageArchive(ctx: Ctx, refs: string[], file: string, platform?: string): Promise<void> {
  if (file !== '-') {
    try { await exportToPath(ctx.socket, refs, file, platform); } catch (e) { throw e instanceof ArchiveTargetError ? new UsageError(e.message) : e; }
    return;
  }
  if (process.stdout.isTTY) throw new UsageError('cowardly refusing to save to a terminal: use the -o flag or redirect stdout');
  const failed = new Promise<never>((_, reject) => process.stdout.once('error', (e) => reject(new Error(`writing stdout: ${e.message}`))));
  failed.catch(() => undefined);
  // stdout may be a pipe: its backpressure holds the helper's stream
  await Promise.race([failed, receiveExport(ctx.socket, refs, {
    write: (b) => process.stdout.write(b),
    drain: () => new Promise((resolve) => process.stdout.once('drain', () => resolve())),
  }, platform)]);
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
}

/**
 * An image archive into the helper: by path where the helper can open it as
 * the caller, else its bytes on a stream. `platform`: only its images of that
 * platform (of a multi-platform index, that platform's image).
 */
export async function loadArchive(ctx: Ctx, file: string, name?: string, platform?: string): Promise<ImageSummaryInfo[]> {
  if (file === '-' && process.stdin.isTTY) throw new UsageError('requested load from stdin, but stdin is a terminal: give -i FILE or redirect stdin');
  // a helper over ssh cannot read this machine's files, and stdin has no path: the bytes go on a stream
  return file === '-' || !isLocalSocket(ctx.socket)
    ? sendImport(ctx.socket, file, name, undefined, platform)
    : (await ctx.client()).request('image.import', { file: path.resolve(file), name, ...(platform ? { platform } : {}) });
}

export const SAVE: Command = {
  summary: 'Save one or more images to a tar archive (an OCI image layout with Docker\'s manifest.json; streamed to stdout by default)', group: 'Images',
  flags: [
    { name: 'output', short: 'o', takesValue: true, value: 'file', help: 'Write to a file, instead of stdout' },
    { name: 'platform', takesValue: true, value: 'os[/arch[/variant]]', help: "Save only the given platform variant (nscope's images are single-platform: an image of another platform is refused)" },
  ],
  min: 1, usage: 'save [OPTIONS] IMAGE...',
  async run(p, ctx) {
    await writeImageArchive(ctx, p.positionals, str(p, 'output') || '-', str(p, 'platform') || undefined);
    return 0;
  },
};

export const LOAD: Command = {
  summary: 'Load images from a tar archive (nscope save, docker save or an OCI image layout) or STDIN', group: 'Images',
  flags: [
    { name: 'input', short: 'i', takesValue: true, value: 'file', help: 'Read from tar archive file, instead of STDIN' },
    { name: 'platform', takesValue: true, value: 'os[/arch[/variant]]', help: "Load only the given platform variant: of a multi-platform index, that platform's image (not this host's); other images of the archive not of it are left out" },
    { name: 'quiet', short: 'q', help: 'Suppress the load output (accepted: nscope shows no progress bar)' },
  ],
  usage: 'load [OPTIONS]',
  async run(p, ctx) {
    if (p.positionals.length) throw new UsageError('usage: nscope load [OPTIONS] (the archive with -i FILE or on stdin)');
    for (const i of await loadArchive(ctx, str(p, 'input') || '-', undefined, str(p, 'platform') || undefined)) process.stdout.write(`Loaded image: ${i.name}\n`);
    return 0;
  },
};

const IMPORT_FLAGS: Command['flags'] = [
  { name: 'change', short: 'c', takesValue: true, repeat: true, help: 'Apply a Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD)' },
  { name: 'message', short: 'm', takesValue: true, help: 'Set commit message for imported image' },
  { name: 'platform', takesValue: true, help: 'Set platform if server is multi-platform capable (os/arch[/variant]; the host\'s by default)' },
];

/** Docker's `import`: the tarball's files as an image of one layer; prints its ID. */
async function importRootfs(p: Parsed, ctx: Ctx, usage: string): Promise<number> {
  if (p.positionals.length < 1 || p.positionals.length > 2) throw new UsageError(`usage: nscope ${usage}`);
  const [file, name] = p.positionals;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) throw new UsageError(`${file}: importing from a URL is not supported; download it, then import the file`);
  if (file === '-' && process.stdin.isTTY) throw new UsageError('import from stdin, but stdin is a terminal: give a FILE or redirect stdin');
  const [img] = await sendImport(ctx.socket, file, name, { changes: list(p, 'change'), message: str(p, 'message'), platform: str(p, 'platform') });
  process.stdout.write(`${img.id}\n`);
  return 0;
}

export const IMPORT_ROOTFS: Command = {
  summary: 'Import the contents from a tarball to create a filesystem image (as `nscope export` writes it; - reads it from stdin)', group: 'Images',
  flags: IMPORT_FLAGS, min: 1, usage: 'import [OPTIONS] FILE|- [REPOSITORY[:TAG]]',
  run: (p, ctx) => importRootfs(p, ctx, 'import [OPTIONS] FILE|- [REPOSITORY[:TAG]]'),
};

/**
 * `image import`: Docker's (a filesystem tarball), or nscope's older one (an
 * image archive, as `load`): a REPOSITORY, -c, -m or --platform say a tarball,
 * --name an archive; a FILE alone is looked into.
 */
export const IMAGE_IMPORT: Command = {
  summary: 'Import a filesystem tarball as an image (FILE REPOSITORY[:TAG], -c, -m: as Docker), or an image archive (FILE alone, --name: as load)', group: 'Images',
  flags: [...IMPORT_FLAGS, { name: 'name', takesValue: true, help: 'Name the loaded image NAME[:TAG] (an archive of one image)' }],
  min: 1, usage: 'image import [OPTIONS] FILE|- [REPOSITORY[:TAG]]',
  async run(p, ctx) {
    const rootfs = p.positionals.length > 1 || (list(p, 'change') ?? []).length > 0 || str(p, 'message') !== undefined || str(p, 'platform') !== undefined
      || (str(p, 'name') === undefined && p.positionals[0] !== '-' && isImageArchive(p.positionals[0]) === false);
    if (rootfs) {
      if (str(p, 'name') !== undefined) throw new UsageError('--name names a loaded archive; a tarball takes its name as the second argument');
      return importRootfs(p, ctx, 'image import [OPTIONS] FILE|- [REPOSITORY[:TAG]]');
    }
    if (p.positionals.length !== 1) throw new UsageError('usage: nscope image import [--name NAME] FILE|-');
    for (const i of await loadArchive(ctx, p.positionals[0], str(p, 'name'))) process.stdout.write(`Loaded image: ${i.name} (${shortId(i.id)})\n`);
    return 0;
  },
};
