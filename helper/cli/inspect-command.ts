// `nscope inspect` and `nscope image inspect`: Docker's documents
// (docker-inspect.ts), as JSON or through a `-f/--format` Go template.
import type { HelperClient } from '../protocol/client';
import { HelperError } from '../protocol/client';
import type { ContainerDetail, ImageDetailInfo, ImageSummaryInfo, NetworkSummary } from '../protocol';
import { bool, str, UsageError, type Parsed } from './args';
import type { Command, Ctx, Flag } from './command';
import { dockerContainer, dockerImage } from './docker-inspect';
import { inspectFormat, printInspected } from './inspect-output';

export const INSPECT_FORMAT: Flag = { name: 'format', short: 'f', takesValue: true, value: 'string', help: 'Format the output: "json" (the default) or a Go template, e.g. \'{{.State.Pid}}\', \'{{json .Config}}\'' };
const SIZE: Flag = { name: 'size', short: 's', help: "Display total file sizes if the type is container (SizeRw: its rw layer; SizeRootFs: with its image's)" };
const TYPE: Flag = { name: 'type', takesValue: true, value: 'container|image', help: 'Only look for this type of object' };

type Kind = 'container' | 'image';

const isNotFound = (e: unknown) => e instanceof HelperError && e.kind === 'not_found';

/** Looks one reference up, as a container first (unless --type image), then as an image. */
async function lookUp(c: HelperClient, ref: string, type: Kind | undefined, size: boolean): Promise<{ kind: 'container'; d: ContainerDetail } | { kind: 'image'; d: ImageDetailInfo }> {
  let first: unknown;
  if (type !== 'image') {
    try { return { kind: 'container', d: await c.request('container.inspect', size ? { id: ref, size } : { id: ref }) }; } catch (e) {
      if (!isNotFound(e) || type === 'container') throw e;
      first = e;
    }
  }
  try { return { kind: 'image', d: await c.request('image.inspect', { ref }) }; } catch (e) {
    if (type === 'image' || !isNotFound(e)) throw e;
    // Docker's words when neither a container nor an image has that name
    throw first && isNotFound(first) ? new Error(`No such object: ${ref}`) : e;
  }
}

/** Prints each reference's document; exit 1 if any was not found (the others are still printed), as docker inspect. */
export async function inspectRefs(p: Parsed, ctx: Ctx, refs: string[], type: Kind | undefined): Promise<number> {
  const fmt = inspectFormat(p);
  const c = await ctx.client();
  const docs: unknown[] = [];
  let rc = 0;
  // fetched once, when a document needs them
  let names: ImageSummaryInfo[] | undefined;
  let networks: NetworkSummary[] | undefined;
  for (const ref of refs) {
    try {
      const o = await lookUp(c, ref, type, bool(p, 'size'));
      if (o.kind === 'container') {
        const image = await c.request('image.inspect', { ref: o.d.imageId }).catch(() => undefined);
        if (o.d.networks?.length || o.d.networksAsked?.length) networks ??= await c.request('network.list', {}).catch(() => []);
        docs.push(dockerContainer(o.d, image, networks));
      } else {
        names ??= await c.request('image.list', {});
        docs.push(dockerImage(o.d, names));
      }
    } catch (e) {
      process.stderr.write(`nscope: ${(e as Error).message}\n`);
      rc = 1;
    }
  }
  return printInspected(fmt, docs, rc);
}

function kindOf(p: Parsed): Kind | undefined {
  const t = str(p, 'type');
  if (t === undefined) return undefined;
  if (t !== 'container' && t !== 'image') throw new UsageError(`--type: "${t}" is not container or image`);
  return t;
}

export const INSPECT: Command = {
  summary: 'Return low-level information on containers or images, as Docker prints it (JSON or a Go template)', group: 'Containers',
  flags: [INSPECT_FORMAT, SIZE, TYPE], min: 1, usage: 'inspect [OPTIONS] CONTAINER|IMAGE...',
  run: (p, ctx) => inspectRefs(p, ctx, p.positionals, kindOf(p)),
};

export const IMAGE_INSPECT: Command = {
  summary: 'Return low-level information on images, as Docker prints it', group: 'Images',
  flags: [INSPECT_FORMAT], min: 1, usage: 'image inspect [OPTIONS] IMAGE...',
  run: (p, ctx) => inspectRefs(p, ctx, p.positionals, 'image'),
};

export const CONTAINER_INSPECT: Command = {
  summary: 'Return low-level information on containers, as Docker prints it', group: 'Containers',
  flags: [INSPECT_FORMAT, SIZE], min: 1, usage: 'container inspect [OPTIONS] CONTAINER...',
  run: (p, ctx) => inspectRefs(p, ctx, p.positionals, 'container'),
};
