// `nscope build [OPTIONS] CONTEXT`: the flags, then helper/build/build.ts.
// docker build's others are in ./build-flags.ts.
import * as fs from 'fs';
import { buildContainerfile, BuildError } from '../build/build';
import { bool, list, str, UsageError, type Parsed } from './args';
import { BUILD_DOCKER_FLAGS, imageLabels, refuseUnsupported, runStepFlags } from './build-flags';
import type { Command, Ctx } from './command';
import { pullWithProgress } from './pull-commands';
import { stdinBuild } from './build-stdin';

export const buildCommand: Command = {
  summary: 'Build an image from a Containerfile (or Dockerfile)', group: 'Images', min: 1,
  usage: 'build [OPTIONS] CONTEXT',
  flags: [
    { name: 'tag', short: 't', takesValue: true, repeat: true, help: 'Name and optionally a tag (name:tag) for the image' },
    { name: 'file', short: 'f', takesValue: true, help: 'The Containerfile (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile)' },
    { name: 'build-arg', takesValue: true, repeat: true, help: 'Set a build argument (NAME=VALUE)' },
    { name: 'no-cache', help: 'Do not use the layer cache' },
    { name: 'target', takesValue: true, help: 'Build up to this stage and make it the image' },
    { name: 'network', takesValue: true, help: 'The network of RUN instructions (default: bridge)' },
    { name: 'quiet', short: 'q', help: 'Print only the image ID' },
    { name: 'pull', values: ['always', 'missing', 'never'], help: 'Pull FROM images first even if local (--pull, --pull=always); --pull=missing (default) only when not local; --pull=never not at all' },
    ...BUILD_DOCKER_FLAGS,
  ],
  run: runBuild,
};

/** Docker's `--pull` (a boolean: always) and Podman's `--pull=always|missing|never`. */
function buildPull(v: unknown): 'always' | 'missing' | 'never' {
  if (v === true || v === 'always') return 'always';
  return v === 'never' ? 'never' : 'missing';
}

async function runBuild(p: Parsed, ctx: Ctx): Promise<number> {
  const iidfile = str(p, 'iidfile');
  let cleanup = () => undefined as void;
  // Ctrl-C (or a TERM) stops the build and removes its step's container (a second Ctrl-C kills at once)
  const interrupt = new AbortController();
  const stop = () => interrupt.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    refuseUnsupported(p);
    // `build -` and `-f -`: the Containerfile from stdin (./build-stdin.ts)
    const stdin = stdinBuild(p.positionals[0], str(p, 'file'));
    cleanup = stdin.cleanup;
    // as Docker: a failed build leaves no stale ID behind from an earlier one
    if (iidfile) {
      try { fs.rmSync(iidfile, { force: true }); } catch (e) { throw new Error(`--iidfile ${iidfile}: removing the old file: ${(e as Error).message}`); }
    }
    const id = await buildContainerfile({
      context: stdin.context, file: stdin.fileText === undefined ? str(p, 'file') : undefined, fileText: stdin.fileText, tags: list(p, 'tag') ?? [], buildArgs: list(p, 'build-arg') ?? [],
      noCache: bool(p, 'no-cache'), target: str(p, 'target'), network: str(p, 'network'), quiet: bool(p, 'quiet'), pull: buildPull(p.flags.pull),
      platform: str(p, 'platform'), labels: imageLabels(p), run: runStepFlags(p), secrets: list(p, 'secret'),
    }, {
      client: await ctx.client(), socket: ctx.socket, signal: interrupt.signal, write: (t) => { process.stdout.write(t); },
      pull: async (ref, platform) => (await pullWithProgress(ctx, ref, { platform, quiet: bool(p, 'quiet'), raise: true })) === 0,
    });
    // Docker's content: the ID as it prints it (sha256:…), no newline
    if (iidfile) {
      try { fs.writeFileSync(iidfile, id, { mode: 0o666 }); } catch (e) { throw new Error(`--iidfile ${iidfile}: ${(e as Error).message}`); }
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof BuildError && /must be a directory|no Containerfile|^-f .*: no such file/.test(e.message)) throw new UsageError(e.message);
    process.stderr.write(`nscope: ${(e as Error).message}\n`);
    return interrupt.signal.aborted ? 130 : 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    cleanup();
  }
}
