// `nscope build` and VS Code's Build Image: a Containerfile built by the client with the helper's own
// verbs, so it works the same against a local or a remote helper: RUN is a
// container made on the current image, started, waited for and committed; COPY
// and ADD are a created container the context's files are copied into (the
// `cp-in` stream, inside the container's root) and committed; ENV, LABEL,
// WORKDIR, USER, CMD, ENTRYPOINT, EXPOSE, VOLUME, STOPSIGNAL and HEALTHCHECK ride on the
// next commit as its changes (those that end a stage: an image.create, no
// layer). FROM scratch starts on an empty image (image.create, no parent);
// the holders of COPY/ADD look their command up only at start, so an image
// with no shell takes a COPY. Every step's image is kept, named
// nscope-build-cache:KEY, where KEY hashes the parent image, the pending
// changes, the instruction as expanded and, for COPY/ADD, the bytes copied:
// the layer cache (~/.cache/nscope/build-cache.json) finds it again on an
// unchanged rebuild. One parser (language/containerfile.ts) for this and the
// language server. docker build's other options are checked before anything
// is done: --platform (this host's only: ./platform.ts), --label (a LABEL on
// the last stage: ./label-change.ts) and the limits, ulimits, security
// options and extra hosts every RUN container gets (./run-step.ts). As
// BuildKit: the instructions are checked before the first step
// (./instruction-check.ts), a build has the proxy and platform ARGs without
// declaring them (./predefined-args.ts), a WORKDIR's folders belong to the
// USER then (./workdir.ts: the next layer makes them), ADD unpacks what its
// bytes say is a tar (./add-archive.ts), and a `RUN <<EOF` with a `#!` line
// runs with that interpreter (./heredoc-script.ts).
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import { parseContainerfile, stagesOf, type Heredoc, type Instruction } from '../../language/containerfile';
import { tarBuffer } from '../images/tar-writer';
import { treeTar } from '../files/tree-tar';
import { openStream, openStreamWithResult, type HelperClient } from '../protocol/client';
import { printLogStream } from '../cli/logstream';
import { sendArchive } from '../files/send-archive';
import { resolvePathInRoot } from '../images/in-root';
import { contextIgnore, parseDockerignore } from './dockerignore';
import { addArchive } from './add-archive';
import { checkInstruction } from './instruction-check';
import { SCRIPT_DIR, scriptArchive, shebangCommand } from './heredoc-script';
import { makeFolders, makeWorkdirs, type PendingWorkdir } from './workdir';
import { BUILD_CACHE_REPOSITORY as CACHE_NAME } from './cache-name';
import { BuildError } from './build-error';
import { CLEAR_TRIGGERS, triggerInstructions } from './onbuild';
import { labelChange } from './label-change';
import { buildPlatform } from './platform';
import { platformArgs, proxyEnv, unusedBuildArgs } from './predefined-args';
import { runStepOptions, type RunStepOptions } from './run-step';
import { holder } from './holder';
import { resolveUserFrom } from '../runtime/user';
import { invalid } from '../errors';
import { planRunFlags, type RunStepPlan } from './run-mounts';
import { parseSecrets } from './secrets';
import { globSegments, hasWildcard, matchSources } from './copy-glob';
import { TarDigest } from './copy-digest';
import { configChange, lexWords, literal } from './config-change';
import { IMAGE_PATH } from '../images/host-image';

const CONFIG_CHANGES = new Set(['ENV', 'LABEL', 'WORKDIR', 'USER', 'CMD', 'ENTRYPOINT', 'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK', 'ONBUILD']);

export { BuildError };

interface ImageConfig { Env?: string[]; WorkingDir?: string; User?: string; Shell?: string[]; OnBuild?: unknown }

/** The build's state within a stage: the image so far and what the next commit adds to its config. */
interface StageState {
  image: string;
  /** FROM scratch: the empty image's ID (the cache keys its steps as "scratch", no parent) */
  scratch?: string;
  pending: string[];
  /** the pending changes' instructions as written: the history of a stage's config-only end */
  written: string[];
  env: Map<string, string>;
  args: Map<string, string>;
  workdir: string;
  user: string;
  shell: string[];
  /** the WORKDIRs whose folders the next step that makes a layer makes (./workdir.ts) */
  workdirs: PendingWorkdir[];
}

function cacheFile(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'nscope', 'build-cache.json');
}

function loadCache(): Record<string, string> {
  try { return JSON.parse(fs.readFileSync(cacheFile(), 'utf8')) as Record<string, string>; } catch { return {}; }
}

function saveCache(cache: Record<string, string>): void {
  const f = cacheFile();
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(`${f}.tmp`, JSON.stringify(cache));
  fs.renameSync(`${f}.tmp`, f);
}

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\0')).digest('hex');
/** An instruction as the build log and a config step's history show it: keyword, flags, arguments. */
const asWritten = (ins: Instruction) => `${ins.keyword} ${ins.flags.map((f) => `--${f.name}${f.value === undefined ? '' : `=${f.value}`} `).join('')}${ins.args}`;
/** The WORKDIR folders a step makes (and their owners), in its key; nothing when it makes none (the keys of before still hit). */
const workdirsKey = (st: StageState) => (st.workdirs.length ? ['WORKDIR', JSON.stringify(st.workdirs.map((w) => [w.dir, w.user]))] : []);
/** What a step's cache key starts with: the image so far, or "scratch" for an empty stage. */
const parentKey = (st: StageState) => (st.image === st.scratch ? 'scratch' : st.image);
const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** The tar bytes of the context's sources of a COPY/ADD, their digest, and where they go. */
interface CopyPlan { dest: string; archives: { bytes: Buffer[]; extract: boolean }[]; digest: string; chown?: [number, number] }

export interface BuildOptions {
  context: string;
  file?: string;
  /** the Containerfile's text, read by the caller (`-f -`, `build -`: stdin); `file` then only names it */
  fileText?: string;
  tags: string[];
  /** NAME=VALUE, or NAME (its value from the environment) */
  buildArgs: string[];
  noCache?: boolean;
  target?: string;
  network?: string;
  /** only the image ID at the end */
  quiet?: boolean;
  /** FROM's registry images: pulled even when local (always), only when not (missing, the default), or not at all */
  pull?: 'always' | 'missing' | 'never';
  /** os/arch[/variant]: this host's only (./platform.ts), asked of FROM's pulls */
  platform?: string;
  /** --label: the image's labels, as a LABEL at the end of the last stage (./label-change.ts) */
  labels?: Record<string, string>;
  /** --memory, --ulimit, --add-host, …: given to every RUN step's container (./run-step.ts) */
  run?: RunStepOptions;
  /** --secret id=ID,src=FILE|env=VAR: what RUN --mount=type=secret shows (./secrets.ts) */
  secrets?: string[];
}

/** Where a build talks: the helper, and where its progress lines go. */
export interface BuildIO {
  client: Pick<HelperClient, 'request'>;
  socket: string;
  write(text: string): void;
  /** pulls a base image that is not local (of `platform` when the build asked for one); false if it could not be */
  pull(ref: string, platform?: string): Promise<boolean>;
  /** aborted (the CLI's Ctrl-C): the step's container is removed at once and the build stops, as Docker's does */
  signal?: AbortSignal;
}

/** Builds; returns the image's id. Bad input throws BuildError (or UsageError for the options). */
export async function buildContainerfile(o: BuildOptions, io: BuildIO): Promise<string> {
  // the options first: a build refused for them has done nothing
  const platform = buildPlatform(o.platform);
  const runStep = runStepOptions(o.run);
  const labels = labelChange(o.labels);
  const secrets = parseSecrets(o.secrets);
  const contextDir = path.resolve(o.context);
  if (!fs.statSync(contextDir, { throwIfNoEntry: false })?.isDirectory()) throw new BuildError(`${o.context}: the build context must be a directory`);
  const given = o.fileText !== undefined;
  const file = given ? path.join(contextDir, o.file ?? 'Dockerfile') : o.file ? path.resolve(o.file) : ['Containerfile', 'Dockerfile'].map((f) => path.join(contextDir, f)).find((f) => fs.existsSync(f));
  if (!given && o.file && !fs.statSync(file!, { throwIfNoEntry: false })?.isFile()) throw new BuildError(`-f ${o.file}: no such file`);
  if (!file || (!given && !fs.existsSync(file))) throw new BuildError(`no Containerfile or Dockerfile in ${contextDir} (or give -f FILE)`);
  const quiet = !!o.quiet;
  const say = (s: string) => { if (!quiet) io.write(s); };
  const parsed = parseContainerfile(o.fileText ?? fs.readFileSync(file, 'utf8'));
  if (parsed.errors.length) throw new BuildError(`${path.basename(file)}:${parsed.errors[0].range.start.line + 1}: ${parsed.errors[0].message}`);
  const stages = stagesOf(parsed);
  if (!stages.length) throw new BuildError(`${path.basename(file)}: no FROM`);
  // as Docker: `COPY --from=NAME` and --target must name one stage
  const named = stages.filter((s) => s.name !== undefined);
  const twice = named.find((s, i) => named.findIndex((t) => t.name === s.name) !== i);
  if (twice) throw new BuildError(`${path.basename(file)}:${twice.from.range.start.line + 1}: a stage name already used: ${twice.name}`);
  const target = o.target;
  const last = target === undefined ? stages.length - 1 : stages.findIndex((s) => s.name === target.toLowerCase());
  if (last < 0) throw new BuildError(`--target ${target}: no stage of that name`);
  // NAME alone takes the variable's value; with no such variable it is not given at all (the ARG's default stays), as Docker's CLI has it
  const buildArgs = new Map(o.buildArgs.flatMap((a): [string, string][] => {
    const i = a.indexOf('=');
    if (i >= 0) return [[a.slice(0, i), a.slice(i + 1)]];
    return process.env[a] === undefined ? [] : [[a, process.env[a]!]];
  }));
  // as BuildKit: an ignore file named after the Containerfile, next to it (build/dev.Dockerfile.dockerignore), wins over the context's
  const ignoreFile = [...(given ? [] : [`${file}.dockerignore`]), path.join(contextDir, '.dockerignore')].find((f) => fs.statSync(f, { throwIfNoEntry: false })?.isFile());
  const ignore = contextIgnore(contextDir, parseDockerignore(ignoreFile ? fs.readFileSync(ignoreFile, 'utf8') : ''));
  const fileName = path.relative(contextDir, file) || path.basename(file);
  const at = (ins: Instruction) => `${fileName}:${ins.range.start.line + 1}`;
  // as Docker's parser: a missing argument or an unknown flag stops the build before its first step
  for (const ins of parsed.instructions) checkInstruction(ins, at(ins));
  // the ARGs before the first FROM: FROM's, and the default of a stage's `ARG NAME` with none of its own;
  // BuildKit's platform ARGs are there from the start (./predefined-args.ts)
  const globalArgs = platformArgs(platform);
  // every ARG name declared (for the warning about --build-arg values nothing used)
  const declared = new Set<string>();
  for (const ins of parsed.instructions) {
    if (ins.keyword === 'FROM') break;
    if (ins.keyword === 'ARG') {
      for (const w of lexWords(ins.args, (n) => globalArgs.get(n), parsed.escape, at(ins))) {
        const [k, ...v] = w.split('=');
        declared.add(k);
        const value = buildArgs.get(k) ?? (v.length ? v.join('=') : undefined);
        if (value !== undefined) globalArgs.set(k, value);
      }
    }
  }
  const c = io.client;
  const noCache = !!o.noCache;
  const cache = loadCache();
  const steps = stages.slice(0, last + 1).reduce((n, s) => n + 1 + s.instructions.length, 0);
  let step = 0;
  const images: string[] = [];
  // each stage's ARGs at its end: a stage FROM it starts with them, as in BuildKit (the classic builder starts with none)
  const stageArgs: Map<string, string>[] = [];
  const containers: string[] = [];
  const removeAll = () => Promise.all(containers.map((id) => c.request('container.remove', { id, force: true }).catch(() => undefined)));
  const stopped = () => { if (io.signal?.aborted) throw new BuildError('the build was interrupted'); };
  // a RUN step's container stops with it, so its wait returns and the build ends (the finally below removes what is left)
  io.signal?.addEventListener('abort', () => { void removeAll(); }, { once: true });

  /** A container on `st.image`, committed with the pending changes after `fill` (the step's work), kept in the cache. */
  const commitStep = async (st: StageState, key: string, ins: Instruction | undefined, fill: (id: string) => Promise<void>, run?: string[], flags?: RunStepPlan, history?: string) => {
    // a RUN's environment: the --build-arg proxy variables, the build's ARGs, then the image's and the ENVs so far (those win, as in Docker)
    const env = [...(run ? [...proxyEnv(buildArgs, st.args), ...st.args] : []), ...st.env].map(([k, v]) => `${k}=${v}`);
    const id = await holder(c, {
      image: st.image, env, workdir: st.workdir || undefined, user: st.user || undefined,
      net: run ? (o.network ?? 'bridge') : 'none', ...(run ? { ...runStep, cmd: run, entrypoint: [] } : {}), ...flags?.run,
    }).catch((e: Error) => {
      if (!run || !ins) throw e;
      throw runSetupError(st, ins, e);
    });
    containers.push(id);
    stopped();
    await makeWorkdirs(c, io.socket, id, st.image, st.workdirs);
    await fill(id);
    stopped();
    // the history names the instruction (as BuildKit's does), not the holder container's command
    const createdBy = history ?? (ins ? [ins.keyword, ...ins.flags.map((f) => `--${f.name}${f.value !== undefined ? `=${f.value}` : ''}`), ins.args].join(' ') : undefined);
    const r = await c.request('container.commit', { id, name: `${CACHE_NAME}:${key.slice(0, 16)}`, changes: st.pending, message: ins ? `${fileName}:${ins.range.start.line + 1}` : undefined, createdBy, pause: false, ...(flags?.exclude.length ? { exclude: flags.exclude } : {}) });
    await c.request('container.remove', { id, force: true });
    containers.splice(containers.indexOf(id), 1);
    cache[key] = r.id;
    saveCache(cache);
    st.image = r.id;
    st.pending = [];
    st.written = [];
    st.workdirs = [];
  };
  /**
   * A RUN whose program is not in the image (FROM scratch has no /bin/sh), which the runtime
   * refuses at create or, as Docker's does, at start: named with its step.
   */
  const runSetupError = (st: StageState, ins: Instruction, e: Error) => {
    const hint = st.scratch ? ' (a FROM scratch stage has no shell: COPY one in first, or use RUN ["PROGRAM", …])' : '';
    return new BuildError(`RUN (${fileName}:${ins.range.start.line + 1}, step ${step}): ${e.message}${hint}`);
  };
  /** The cached image of `key`, if it is still there. */
  const cached = async (key: string): Promise<string | undefined> => {
    if (noCache || !cache[key]) return undefined;
    try { return (await c.request('image.inspect', { ref: cache[key] })).id; } catch { delete cache[key]; return undefined; }
  };
  /**
   * A config-only image on `st.image` (Docker's empty_layer history entry: no layer), of the
   * pending changes and `author` (MAINTAINER's), cached under `key`; true when the cache had it.
   */
  const configStep = async (st: StageState, key: string, createdBy: string, author?: string): Promise<boolean> => {
    const hit = await cached(key);
    if (hit) st.image = hit;
    else {
      const r = await c.request('image.create', { name: `${CACHE_NAME}:${key.slice(0, 16)}`, parent: st.image, changes: st.pending, createdBy, message: fileName, ...(author ? { author } : {}) });
      cache[key] = st.image = r.id;
      saveCache(cache);
    }
    st.pending = [];
    st.written = [];
    return !!hit;
  };

  try {
    for (const stage of stages.slice(0, last + 1)) {
      say(`Step ${++step}/${steps} : FROM ${stage.from.args}\n`);
      const base = lexWords(stage.from.args, (n) => globalArgs.get(n), parsed.escape, at(stage.from))[0] ?? '';
      const earlier = stages.findIndex((s) => s.name === base.toLowerCase() && s.index < stage.index);
      let baseId: string;
      let scratch: string | undefined;
      // the base image's config, when looking the base up has fetched it already
      let baseConfig: unknown;
      if (earlier >= 0) baseId = images[earlier];
      else if (base === 'scratch') {
        // as Docker: no parent layers; an empty image of the host's platform for the steps to build on
        baseId = scratch = (await c.request('image.create', { name: `${CACHE_NAME}:scratch` })).id;
      } else {
        const inspectBase = () => c.request('image.inspect', { ref: base });
        let found = o.pull === 'always' ? undefined : await inspectBase().catch(() => undefined);
        if (!found) {
          if (o.pull === 'never') throw new BuildError(`FROM ${base}: not a local image (--pull=never)`);
          // one line: the step and why the pull failed (the pull's own error, not a second line of it)
          const why = o.pull === 'always' ? 'pulling it (--pull) failed' : 'not a local image, and pulling it failed';
          let pulled: boolean;
          try { pulled = await io.pull(base, platform); } catch (e) { throw new BuildError(`FROM ${base}: ${why}: ${(e as Error).message}`); }
          if (!pulled) throw new BuildError(`FROM ${base}: ${o.pull === 'always' ? 'it could not be pulled (--pull)' : 'not a local image and it could not be pulled'}`);
          found = await inspectBase();
        }
        baseId = found.id;
        baseConfig = found.config;
      }
      const cfg = ((baseConfig ?? (await c.request('image.inspect', { ref: baseId })).config) as { config?: ImageConfig })?.config ?? {};
      const st: StageState = {
        image: baseId, scratch, pending: [], written: [], args: new Map(earlier >= 0 ? stageArgs[earlier] : []), workdir: cfg.WorkingDir ?? '', user: cfg.User ?? '', shell: cfg.Shell?.length ? cfg.Shell : ['/bin/sh', '-c'], workdirs: [],
        env: new Map((cfg.Env ?? []).map((e) => { const i = e.indexOf('='); return [e.slice(0, i), e.slice(i + 1)] as [string, string]; })),
      };
      // as both of Docker's builders: a stage FROM scratch has the default PATH in its config
      if (scratch) { st.env.set('PATH', IMAGE_PATH); st.pending.push(`ENV PATH=${literal(IMAGE_PATH)}`); }
      say(` ---> ${shortId(baseId)}\n`);
      // the base's ONBUILD triggers first, then dropped from what this stage makes (./onbuild.ts)
      const triggers = triggerInstructions(cfg.OnBuild, stage.from, at(stage.from), base);
      if (triggers.length) {
        st.pending.push(CLEAR_TRIGGERS);
        say(`# Executing ${triggers.length} build trigger${triggers.length === 1 ? '' : 's'}\n`);
      }
      // an ENV wins over an ARG of the same name, whichever came first (as Docker)
      const lookup = (n: string) => st.env.get(n) ?? st.args.get(n);
      // a flag's value (--chown=${USER}, --mount=…) through the same lexer as the arguments, as BuildKit's
      const flagValue = (ins: Instruction) => (v: string) => lexWords(v, lookup, parsed.escape, at(ins), false)[0] ?? '';
      for (const ins of [...triggers, ...stage.instructions]) {
        stopped();
        const trigger = triggers.indexOf(ins);
        const text = asWritten(ins);
        say(trigger >= 0 ? `Trigger ${trigger + 1}/${triggers.length} : ${text}\n` : `Step ${++step}/${steps} : ${text}\n`);
        switch (ins.keyword) {
          case 'ARG':
            for (const w of lexWords(ins.args, lookup, parsed.escape, at(ins))) {
              // --build-arg, else the ARG's own default, else (none given) the global ARG's value; unset without any
              const [k, ...v] = w.split('=');
              declared.add(k);
              const value = buildArgs.get(k) ?? (v.length ? v.join('=') : globalArgs.get(k));
              if (value !== undefined) st.args.set(k, value);
            }
            break;
          case 'SHELL':
            if (!ins.json) throw new BuildError(`${fileName}:${ins.range.start.line + 1}: SHELL takes the JSON form: SHELL ["/bin/sh", "-c"]`);
            st.shell = ins.json;
            // and into the image's config, as Docker records it: the shell form of CMD/ENTRYPOINT below uses it too
            st.pending.push(`SHELL ${JSON.stringify(ins.json)}`);
            st.written.push(`SHELL ${ins.args}`);
            break;
          case 'RUN': {
            // as BuildKit: a heredoc alone is the script the shell runs; with a command around it (`cat <<EOF >f`,
            // `python3 <<EOF`) the shell gets the line and the bodies back as written, and feeds each to its command
            const alone = ins.heredocs.length === 1 && /^<<-?(["']?)[A-Za-z_][A-Za-z0-9_]*\1$/.test(ins.args.trim());
            const script = !ins.heredocs.length ? ins.args : alone ? ins.heredocs[0].body : ins.args + ins.heredocs.map((h) => `\n${h.body}${h.name}`).join('');
            // a heredoc alone that starts with `#!` is a script for that interpreter (./heredoc-script.ts)
            const shebang = alone && !ins.json ? shebangCommand(ins.heredocs[0].name, ins.heredocs[0].body) : undefined;
            const cmd = ins.json ?? shebang ?? [...st.shell, script];
            const where = `RUN (${fileName}:${ins.range.start.line + 1}, step ${step})`;
            // --mount, --network, --security: checked, and what they bind made ready, before the step (./run-mounts.ts)
            const flags = await planRunFlags(ins, {
              c, socket: io.socket, contextDir, workdir: st.workdir || '/', network: o.network ?? 'bridge',
              earlier: stages.slice(0, stage.index).map((s, i) => [s.name, images[i]] as const), secrets,
              expand: flagValue(ins), where,
            });
            try {
              // a RUN without flags keeps the key it always had (an existing cache still hits)
              const key = hash(parentKey(st), ...st.pending, 'RUN', JSON.stringify(cmd), JSON.stringify([...st.args]), ...(flags.key ? [flags.key] : []), ...workdirsKey(st),
                ...(shebang ? ['script', script] : []));
              const hit = await cached(key);
              if (hit) { st.image = hit; st.pending = []; st.written = []; st.workdirs = []; say(' ---> Using cache\n'); break; }
              await flags.prepare();
              if (shebang) flags.exclude.push(SCRIPT_DIR);
              await commitStep(st, key, ins, async (id) => {
                if (shebang) await sendArchive(io.socket, { kind: 'cp-in', id, path: '/', archive: true, parents: true }, [scriptArchive(ins.heredocs[0].name, script)]);
                const out = quiet ? undefined : await openStream(io.socket, { kind: 'logs', id, follow: true });
                const printed = out ? printLogStream(out, { write: (text) => io.write(text) }) : Promise.resolve();
                const waited = c.request('container.wait', { id });
                // a start that fails leaves the wait to end with the container's removal: not an unhandled rejection
                waited.catch(() => undefined);
                await c.request('container.start', { id }).catch((e: Error) => { throw runSetupError(st, ins, e); });
                const { exitCode } = await waited;
                await printed;
                if (exitCode !== 0) throw new BuildError(`The command '${cmd.join(' ')}' returned a non-zero code: ${exitCode} (${fileName}:${ins.range.start.line + 1}, step ${step})`);
              }, cmd, flags);
            } finally { flags.cleanup(); }
            say(` ---> ${shortId(st.image)}\n`);
            break;
          }
          case 'COPY': case 'ADD': {
            // the sources and the destination, each through the lexer (the JSON form's too, as BuildKit)
            const words = ins.json ? ins.json.map((w) => lexWords(w, lookup, parsed.escape, at(ins), false)[0]) : lexWords(ins.args, lookup, parsed.escape, at(ins));
            const plan = await planCopy(c, io.socket, ins, words, contextDir, ignore, stages.slice(0, stage.index).map((s, i) => [s.name, images[i]] as const), st,
              flagValue(ins));
            const key = hash(parentKey(st), ...st.pending, ins.keyword, plan.dest, plan.digest, ...workdirsKey(st), ...(plan.chown ? ['chown-made-folders'] : []));
            const hit = await cached(key);
            if (hit) { st.image = hit; st.pending = []; st.written = []; st.workdirs = []; say(' ---> Using cache\n'); break; }
            await commitStep(st, key, ins, async (id) => {
              // --chown owns the folders made on the way to the destination too
              const chownTo = plan.chown;
              if (chownTo) await makeFolders(c, io.socket, id, st.image, [{ dir: plan.dest, owner: async () => chownTo }]);
              for (const a of plan.archives) {
                await sendArchive(io.socket, { kind: 'cp-in', id, path: a.extract ? plan.dest : plan.dest, archive: true, parents: true }, a.bytes);
              }
            });
            say(` ---> ${shortId(st.image)}\n`);
            break;
          }
          default:
            if (CONFIG_CHANGES.has(ins.keyword)) {
              // read once here, handed on quoted (./config-change.ts); ENV, WORKDIR and USER also set what later steps use
              st.pending.push(configChange(ins, lookup, parsed.escape, st, at(ins)));
              st.written.push(asWritten(ins));
              if (ins.keyword === 'WORKDIR') st.workdirs.push({ dir: st.workdir, user: st.user, at: at(ins) });
              say(' ---> (config only: recorded in the image, no layer of its own)\n');
            } else if (ins.keyword === 'MAINTAINER') {
              // as Docker: the image's author (and its history entry's), a config-only step of its own; what follows inherits it
              const author = ins.args.trim();
              if (await configStep(st, hash(parentKey(st), ...st.pending, 'MAINTAINER', author), [...st.written, `MAINTAINER ${author}`].join('; '), author)) say(' ---> Using cache\n');
              say(` ---> ${shortId(st.image)}\n`);
            } else {
              throw new BuildError(`${fileName}:${ins.range.start.line + 1}: unknown instruction ${ins.keyword}`);
            }
        }
      }
      // --label: on the image built, after whatever the Containerfile's own LABELs set
      if (labels && stage.index === last) { st.pending.push(labels); st.written.push(labels); }
      // a WORKDIR's folder no later step made: a layer of its own, as BuildKit's (the history names the stage's config end)
      if (st.workdirs.length) {
        const key = hash(parentKey(st), ...st.pending, ...workdirsKey(st));
        const hit = await cached(key);
        if (hit) { st.image = hit; st.pending = []; st.written = []; st.workdirs = []; }
        else await commitStep(st, key, undefined, async () => undefined, undefined, undefined, st.written.join('; '));
      }
      // config alone makes no layer: FROM scratch + CMD is an image of zero layers
      if (st.pending.length) await configStep(st, hash(parentKey(st), ...st.pending, 'CONFIG'), st.written.join('; '));
      images[stage.index] = st.image;
      stageArgs[stage.index] = st.args;
    }
  } catch (e) {
    // interrupted: whatever the step in progress failed with is only a consequence
    stopped();
    throw e;
  } finally {
    await removeAll();
  }
  const id = images[last];
  const unused = unusedBuildArgs(buildArgs, declared);
  // as Docker's classic builder words it (a typo in a --build-arg name is otherwise silent)
  if (unused.length) say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
  // the names as the helper stored them (`web` is `web:latest`), which is what Docker's builder prints
  const tagged: string[] = [];
  for (const t of o.tags) tagged.push((await c.request('image.tag', { ref: id, name: t })).name);
  if (quiet) io.write(`${id}\n`);
  else {
    say(`Successfully built ${shortId(id)}\n`);
    for (const t of tagged) say(`Successfully tagged ${t}\n`);
  }
  return id;
}

/** What a COPY/ADD puts where: the tars of its sources (from the context or another stage) and their digest. */
async function planCopy(c: Pick<HelperClient, 'request'>, socket: string, ins: Instruction, words: string[], contextDir: string, ignore: (rel: string) => boolean,
  earlier: (readonly [string | undefined, string])[], st: StageState, expand: (v: string) => string): Promise<CopyPlan> {
  const where = `${ins.keyword} (line ${ins.range.start.line + 1})`;
  if (words.length < 2) throw new BuildError(`${where}: a source and a destination are needed`);
  const sources = words.slice(0, -1);
  const raw = words[words.length - 1];
  // "." and a trailing "/" (or "/.") name a folder: what is copied goes into it
  const isDir = raw === '.' || raw.endsWith('/') || raw.endsWith('/.');
  let dest = path.posix.resolve(st.workdir || '/', raw);
  if (isDir && dest !== '/') dest += '/';
  // ARG and ENV values in the flags too (--chown=${USER}), as BuildKit expands them
  const flag = (n: string) => { const v = ins.flags.find((f) => f.name === n)?.value; return v === undefined ? undefined : expand(v); };
  const chown = flag('chown');
  let owner: ((u: number, g: number) => [number, number]) | undefined = () => [0, 0];
  let chownTo: [number, number] | undefined;
  if (chown !== undefined) {
    const [uid, gid] = chownTo = await chownIds(c, st.image, chown, where);
    owner = () => [uid, gid];
  }
  const chmod = flag('chmod');
  if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod)) throw new BuildError(`${where}: --chmod=${chmod}: an octal mode is expected`);
  const mode = chmod === undefined ? undefined : parseInt(chmod, 8);
  // the key hashes what is sent, as it is sent (owners and modes included), but no file's time (./copy-digest.ts);
  // a tar that ADD unpacks is hashed as it is: its members' times are its content
  const h = new TarDigest();
  const asIs = createHash('sha256');
  const digest = () => createHash('sha256').update(`${h.digest()}\0${asIs.digest('hex')}`).digest('hex');
  const archives: CopyPlan['archives'] = [];
  const collect = (gen: Iterable<Buffer>, to: { update(b: Buffer): unknown } = h) => { const bytes: Buffer[] = []; for (const b of gen) { to.update(b); bytes.push(b); } return bytes; };
  const from = flag('from');
  if (from !== undefined) {
    const stage = earlier.find(([n], i) => n === from.toLowerCase() || String(i) === from);
    const image = stage?.[1] ?? from;
    // a wildcard (`/app/*.jar`) stands for what it matches in that stage or image, as in the context
    const named: string[] = [];
    for (const src of sources) {
      if (!hasWildcard(src)) { named.push(src); continue; }
      const found = await globSegments(src.split('/').filter((x) => x && x !== '.'), async (dir) => {
        try { return (await c.request('file.list', { image, path: `/${dir.join('/')}` })).entries.map((e) => e.name); } catch { return null; }
      });
      const there = await Promise.all(found.map((p) => c.request('file.stat', { image, path: `/${p.join('/')}` }).then(() => `/${p.join('/')}`, () => undefined)));
      const matched = there.filter((p): p is string => p !== undefined);
      if (!matched.length) throw new BuildError(`${where}: no source files were specified: nothing in --from=${from} matches "${src}"`);
      named.push(...matched);
    }
    if (named.length > 1 && !dest.endsWith('/')) throw new BuildError(`${where}: with more than one source, the destination must end with /`);
    for (const src of named) {
      const id = await holder(c, { image, net: 'none' }).catch((e: Error) => {
        throw new BuildError(`${where}: --from=${from}: ${stage ? '' : 'no stage of that name, and as an image: '}${e.message}`);
      });
      try {
        const { sock, result } = await openStreamWithResult(socket, { kind: 'cp-out', id, path: src });
        const bytes: Buffer[] = [];
        for await (const b of sock) bytes.push(b as Buffer);
        // the top entry is the source's name: a directory's contents go to dest, a file into it or as it
        const isDir = result.stat?.type === 'dir';
        const to = isDir || dest.endsWith('/') ? (isDir ? null : undefined) : path.posix.basename(dest);
        // --chown and --chmod apply to what comes from another stage too (without them its owners and modes stay)
        // hashed as rewritten: --chown and --chmod are part of the step's key
        archives.push({ bytes: collect(await rewriteArchive(bytes, result.stat?.name ?? path.posix.basename(src), to, chown !== undefined ? owner : undefined, mode)), extract: true });
        if (!isDir && !dest.endsWith('/')) dest = path.posix.dirname(dest);
      } finally { await c.request('container.remove', { id, force: true }).catch(() => undefined); }
    }
    return { dest, archives, digest: digest(), chown: chownTo };
  }
  // a wildcard source stands for what it matches (./copy-glob.ts), each copied as if named
  const named: { src: string; rel: string; heredoc?: Heredoc }[] = [];
  for (const src of sources) {
    // `COPY <<EOF /file`: a file made of the heredoc's body (its name the delimiter's), $VARs expanded unless <<"EOF"
    const doc = /^<<-?([A-Za-z_][A-Za-z0-9_]*)$/.exec(src);
    const heredoc = doc ? ins.heredocs.find((d) => d.name === doc[1]) : undefined;
    if (heredoc) { named.push({ src, rel: heredoc.name, heredoc }); continue; }
    if (ins.keyword === 'ADD' && /^(https?:\/\/|git@)/.test(src)) throw new BuildError(`${where}: ADD of a URL is not supported by nscope build yet`);
    const rel = path.posix.normalize(src.replace(/^\/+/, ''));
    if (rel === '..' || rel.startsWith('../')) throw new BuildError(`${where}: "${src}" is outside the build context`);
    if (!hasWildcard(rel)) { named.push({ src, rel }); continue; }
    const matched = await matchSources(contextDir, rel, ignore);
    if (!matched.length) throw new BuildError(`${where}: no source files were specified: nothing in the build context matches "${src}"`);
    for (const m of matched) named.push({ src: m, rel: m });
  }
  if (named.length > 1 && !dest.endsWith('/')) throw new BuildError(`${where}: with more than one source${named.length > sources.length ? ' (a wildcard matched several)' : ''}, the destination must end with /`);
  let intoDir = dest;
  for (const { src, rel, heredoc } of named) {
    if (heredoc) {
      const to = dest.endsWith('/') ? heredoc.name : path.posix.basename(dest);
      if (!dest.endsWith('/')) intoDir = path.posix.dirname(dest);
      // a fixed time, so the same body makes the same bytes and the step's cache hits
      const [uid, gid] = owner(0, 0);
      archives.push({ bytes: collect([tarBuffer([{ name: to, type: 'file', mode: mode ?? 0o644, uid, gid, mtime: 0, data: heredoc.quoted ? heredoc.body : expand(heredoc.body) }])]), extract: true });
      continue;
    }
    // symlinks on the way are followed inside the context, as if it were "/" (as BuildKit does)
    let real: string[] | null;
    try { real = resolvePathInRoot(contextDir, rel.split('/')); } catch (e) { throw new BuildError(`${where}: "${src}": ${(e as Error).message}`); }
    const abs = real ? path.join(contextDir, ...real) : path.join(contextDir, rel);
    const st = real ? fs.lstatSync(abs, { throwIfNoEntry: false }) : undefined;
    const ignored = rel !== '.' && (ignore(rel) || (!!real?.length && ignore(real.join('/'))));
    if (!st || ignored) throw new BuildError(`${where}: "${src}" is not in the build context${st ? ' (.dockerignore leaves it out)' : ''}`);
    // what is below a folder is left out by its path in the context: a linked-to folder's by where it really is
    const under = real?.length ? real.join('/') : rel === '.' ? '' : rel;
    const skip = (r: string) => ignore(path.posix.join(under, r).replace(/^\//, ''));
    // a local archive (told by its bytes: ./add-archive.ts) is unpacked at the destination
    const tar = ins.keyword === 'ADD' && st.isFile() ? addArchive(fs.readFileSync(abs), where) : null;
    if (tar) {
      archives.push({ bytes: collect([tar], asIs), extract: true });
    } else if (st.isDirectory()) {
      archives.push({ bytes: collect(treeTar(abs, '.', { owner, mode, skip })), extract: true });
    } else if (dest.endsWith('/')) {
      archives.push({ bytes: collect(treeTar(abs, path.posix.basename(rel), { owner, mode })), extract: true });
    } else {
      intoDir = path.posix.dirname(dest);
      archives.push({ bytes: collect(treeTar(abs, path.posix.basename(dest), { owner, mode })), extract: true });
    }
  }
  return { dest: intoDir, archives, digest: digest(), chown: chownTo };
}

/**
 * --chown's USER[:GROUP] as ids: numbers as they are (a uid alone is its own
 * gid, as BuildKit has it), names from the image's /etc/passwd and /etc/group
 * as they are at this step (a user name alone: its primary group).
 */
async function chownIds(c: Pick<HelperClient, 'request'>, image: string, spec: string, where: string): Promise<[number, number]> {
  // a group alone (`--chown=:staff`) is root's user with that group, as BuildKit takes it
  const ids = spec.startsWith(':') ? `0${spec}` : spec;
  const m = /^(\d+)(?::(\d+))?$/.exec(ids);
  if (m) {
    const [uid, gid] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (uid > 0xfffffffe || gid > 0xfffffffe) throw new BuildError(`${where}: --chown=${spec}: an id is at most 4294967294`);
    return [uid, gid];
  }
  const read = async (file: string): Promise<string | null> => {
    try {
      const r = await c.request('file.read', { image, path: file, length: 4 << 20 });
      return Buffer.from(r.data, 'base64').toString('utf8');
    } catch { return null; }
  };
  const files = { passwd: await read('/etc/passwd'), group: await read('/etc/group') };
  try {
    const u = resolveUserFrom(ids, files, (kind, name) => invalid(`--chown=${spec}: no ${kind} ${name} in the image's /etc/${kind === 'user' ? 'passwd' : 'group'}${files[kind === 'user' ? 'passwd' : 'group'] === null ? ' (it has none)' : ''}`), '--chown');
    return [u.uid, u.gid];
  } catch (e) {
    throw new BuildError(`${where}: ${(e as Error).message}`);
  }
}

/**
 * The archive with its top entry `top` renamed to `to` (a string), or dropped
 * so its contents are at the top (null); undefined keeps it. `owner` and
 * `mode` (files and folders) re-own and re-mode every entry. Rewrites ustar
 * names by re-reading and re-writing the archive.
 */
async function rewriteArchive(bytes: Buffer[], top: string, to: string | null | undefined, owner?: (u: number, g: number) => [number, number], mode?: number): Promise<Buffer[]> {
  if (to === undefined && !owner && mode === undefined) return bytes;
  const { readTar } = await import('../images/tar-reader');
  const { TarWriter } = await import('../images/tar-writer');
  const out: Buffer[] = [];
  const w = new TarWriter((b) => out.push(Buffer.from(b)));
  for await (const e of readTar(Readable.from(bytes))) {
    const parts = e.name.replace(/\/$/, '').split('/').filter((x) => x && x !== '.');
    if (parts[0] !== top) continue;
    const rest = parts.slice(1);
    const name = to === undefined ? [top, ...rest].join('/') : to === null ? (rest.length ? rest.join('/') : '.') : [to, ...rest].join('/');
    const linkname = e.type === 'hardlink' ? (() => {
      const lp = e.linkname.split('/').filter((x) => x && x !== '.');
      return to === undefined ? lp.join('/') : to === null ? lp.slice(1).join('/') : [to, ...lp.slice(1)].join('/');
    })() : e.linkname;
    const [uid, gid] = owner ? owner(e.uid, e.gid) : [e.uid, e.gid];
    const m = mode !== undefined && (e.type === 'file' || e.type === 'dir') ? mode : e.mode;
    const meta = { name, type: e.type, mode: m, uid, gid, mtime: Math.floor(e.mtime), linkname, devmajor: e.devmajor, devminor: e.devminor };
    if (e.type === 'file') {
      const body: Buffer[] = [];
      for await (const b of e.body.chunks()) body.push(Buffer.from(b));
      w.add(meta, Buffer.concat(body));
    } else w.add(meta);
  }
  w.finish();
  return out;
}
