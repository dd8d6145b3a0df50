// A config instruction of a Containerfile (ENV, LABEL, WORKDIR, USER, EXPOSE,
// VOLUME, STOPSIGNAL, CMD, ENTRYPOINT, HEALTHCHECK, ONBUILD) as the change the next
// commit applies (rootfs/commit-change.ts parses it as `commit --change`).
// The build reads the words once, as Docker's lexer does (quotes, escapes and
// variables in one pass: processWords), and hands the helper each value
// quoted literally, so nothing is read a second time there: `ENV F=\$HOME`
// keeps `$HOME`, `'$X'` stays `$X`, an ARG whose value is "a b" stays one
// value. CMD, ENTRYPOINT and HEALTHCHECK go as written: Docker expands
// nothing in them.
import * as path from 'path';
import { processWords, type Instruction } from '../../language/containerfile';
import { BuildError } from './build-error';
import { applyChanges } from '../rootfs/commit-change';
import { triggerProblem } from '../../language/onbuild';

/** 'text' in single quotes, where nothing is expanded; a ' inside ends them for an escaped \'. */
export const literal = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** What the config instructions so far have set, which later steps use. */
export interface ConfigState { env: Map<string, string>; workdir: string; user: string }

/** `text` through Docker's lexer, a failure naming `where` (FILE:LINE). */
export function lexWords(text: string, lookup: (name: string) => string | undefined, escape: string, where: string, split = true): string[] {
  try { return processWords(text, lookup, escape, split); } catch (e) { throw new BuildError(`${where}: ${(e as Error).message}`); }
}

/** ENV's and LABEL's `k=v k2="v 2"`, or the legacy `k the rest` (its value one word, blanks kept), as BuildKit's parseNameVal. */
function namedValues(ins: Instruction, lookup: (name: string) => string | undefined, escape: string, where: string): [string, string][] {
  const first = firstWord(ins.args, escape);
  if (!first) throw new BuildError(`${where}: ${ins.keyword} needs KEY=VALUE`);
  if (!first.includes('=')) {
    const rest = ins.args.slice(first.length).trim();
    if (!rest) throw new BuildError(`${where}: ${ins.keyword} ${first} has no value (use ${ins.keyword} KEY=VALUE)`);
    return [[lexWords(first, lookup, escape, where, false)[0], lexWords(rest, lookup, escape, where, false)[0]]];
  }
  return lexWords(ins.args, lookup, escape, where).map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw new BuildError(`${where}: ${ins.keyword} "${w}" is not KEY=VALUE`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/**
 * The first word of `text` as Docker's parseWords splits words: at a blank
 * outside quotes (`"key with space"=v` is one word, and an `=` form).
 */
function firstWord(text: string, escape: string): string {
  let quote = '';
  let i = 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === escape && quote !== "'") { i++; continue; }
    if (quote) { if (ch === quote) quote = ''; continue; }
    if (ch === '"' || ch === "'") quote = ch;
    else if (/\s/.test(ch)) break;
  }
  return text.slice(0, i);
}

/**
 * The change for `ins`; `st` (env, workdir, user) updated as the instruction
 * sets them. Checked here as the helper will apply it (a bad EXPOSE port, a
 * HEALTHCHECK option), so the build stops at its line, not at the stage's end.
 */
export function configChange(ins: Instruction, lookup: (name: string) => string | undefined, escape: string, st: ConfigState, where: string): string {
  const change = readChange(ins, lookup, escape, st, where);
  try { applyChanges({}, [change], 'build'); } catch (e) {
    // the helper's message names the change as `--change "…"`: the line is named here instead
    throw new BuildError(`${where}: ${(e as Error).message.replace(/^--change "[\s\S]*?": /, `${ins.keyword}: `)}`);
  }
  return change;
}

function readChange(ins: Instruction, lookup: (name: string) => string | undefined, escape: string, st: ConfigState, where: string): string {
  const word = () => lexWords(ins.args, lookup, escape, where, false)[0];
  const words = () => lexWords(ins.args, lookup, escape, where);
  switch (ins.keyword) {
    case 'ENV': {
      // every value is read before any is set: `ENV A=1 B=$A` gives B the A from before, as Docker
      const kv = namedValues(ins, lookup, escape, where);
      for (const [k, v] of kv) st.env.set(k, v);
      return `ENV ${kv.map(([k, v]) => `${literal(k)}=${literal(v)}`).join(' ')}`;
    }
    case 'LABEL':
      return `LABEL ${namedValues(ins, lookup, escape, where).map(([k, v]) => `${literal(k)}=${literal(v)}`).join(' ')}`;
    case 'WORKDIR':
      st.workdir = path.posix.resolve(st.workdir || '/', word());
      return `WORKDIR ${literal(st.workdir)}`;
    case 'USER':
      st.user = word();
      return `USER ${literal(st.user)}`;
    case 'STOPSIGNAL':
      return `STOPSIGNAL ${literal(word())}`;
    case 'EXPOSE':
      return `EXPOSE ${words().map(literal).join(' ')}`;
    case 'VOLUME':
      // the JSON form's paths are expanded too (BuildKit); handed on as JSON, which the helper takes as it is
      return `VOLUME ${JSON.stringify(ins.json ? ins.json.map((v) => lexWords(v, lookup, escape, where, false)[0]) : words())}`;
    case 'ONBUILD': {
      // kept as written, expanded when it runs (Docker's way); its JSON form is the helper's, not a Containerfile's
      const bad = triggerProblem(ins.args);
      if (bad) throw new BuildError(`${where}: ONBUILD: ${bad}`);
      return `ONBUILD ${ins.args}`;
    }
    case 'HEALTHCHECK':
      return `HEALTHCHECK ${ins.flags.map((f) => `--${f.name}=${f.value ?? ''} `).join('')}${ins.args}`;
    default:
      // CMD, ENTRYPOINT: as written
      return `${ins.keyword} ${ins.args}`;
  }
}
