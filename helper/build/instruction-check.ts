// What the build checks of every instruction before its first step, as
// Docker's parser does: the arguments an instruction cannot do without, and
// the flags `nscope build` takes on each. Docker's parser refuses
// a flag it does not know ("Unknown flag: chwon"); one let through would be
// a typo that silently does nothing (`COPY --chwon=app …` copying as root).
// COPY's --parents and --exclude (BuildKit's newer frontends) change what is
// copied, so until the build does what they ask they are refused, not
// ignored; --link only changes how BuildKit reuses the layer, which makes no
// difference to the files here. RUN's flags are read by ./run-mounts.ts.
import type { Instruction } from '../../language/containerfile';
import { BuildError } from './build-error';

const TAKES: Record<string, string[]> = {
  FROM: ['platform'],
  COPY: ['from', 'chown', 'chmod', 'link'],
  ADD: ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir'],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};

/** What nscope build does not do yet, said instead of "unknown". */
const NOT_YET: Record<string, string> = {
  parents: 'keeping the sources\' parent folders',
  exclude: 'leaving out what matches a pattern (put it in .dockerignore)',
};

/** Instructions that need an argument, and Docker's words for it. */
const NEEDS: Record<string, string> = { ARG: 'at least one argument', WORKDIR: 'exactly one argument', VOLUME: 'at least one argument' };

/** Refuses `ins` without the argument it needs, or with a flag it does not take, naming FILE:LINE (`at`). RUN's flags are checked with their values (./run-mounts.ts). */
export function checkInstruction(ins: Instruction, at: string): void {
  if (NEEDS[ins.keyword] && !ins.args.trim()) throw new BuildError(`${at}: ${ins.keyword} requires ${NEEDS[ins.keyword]}`);
  if (ins.keyword === 'FROM') checkFrom(ins, at);
  if (ins.keyword === 'RUN') return;
  const takes = TAKES[ins.keyword] ?? [];
  for (const f of ins.flags) {
    if (takes.includes(f.name)) continue;
    if (ins.keyword === 'COPY' && NOT_YET[f.name]) throw new BuildError(`${at}: COPY --${f.name} (${NOT_YET[f.name]}) is not supported by nscope build yet`);
    throw new BuildError(`${at}: ${ins.keyword}: unknown flag --${f.name}${takes.length ? ` (it takes ${takes.map((x) => `--${x}`).join(', ')})` : ' (it takes none)'}`);
  }
  // ADD --checksum and --keep-git-dir are for a URL or a git repository, which nscope build does not fetch
  for (const name of ['checksum', 'keep-git-dir']) {
    if (ins.keyword === 'ADD' && ins.flags.some((f) => f.name === name)) throw new BuildError(`${at}: ADD --${name} is for a source fetched from a URL or git, which nscope build does not do yet`);
  }
}

/** FROM IMAGE [AS NAME], NAME a letter then letters, digits, `-`, `_` and `.` (BuildKit's words for what is not). */
function checkFrom(ins: Instruction, at: string): void {
  const words = ins.args.trim().split(/\s+/).filter(Boolean);
  if (!(words.length === 1 || (words.length === 3 && words[1].toLowerCase() === 'as'))) throw new BuildError(`${at}: FROM requires either one or three arguments (FROM IMAGE [AS NAME])`);
  if (words.length === 3 && !/^[a-z][a-z0-9-_.]*$/i.test(words[2])) throw new BuildError(`${at}: invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
}
