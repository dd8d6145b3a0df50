// The Containerfile language server's diagnostics: what `nscope build` (or
// Docker's) would refuse or misread, found while the file is typed. Pure but
// for the two facts the caller brings: the local images (undefined when the
// helper cannot be asked: that check is then skipped) and whether a path
// exists in the build context (undefined when the file is not on disk).
import * as path from 'path';
import { mountProblem, RUN_NETWORKS } from './run-flags';
import { Diagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver';
import { argsSubrange, jsonForm, parseContainerfile, splitWords, stagesOf, variableRefs, type Instruction, type Range } from './containerfile';
import { closest, INSTRUCTIONS, PREDEFINED_ARGS } from './instructions';
import { triggerProblem } from './onbuild';

export interface CheckContext {
  /** names of the local images ("host:latest", "docker.io/library/alpine:3.19"); undefined: unknown */
  images?: Set<string>;
  /** whether `rel` (relative to the build context; may be a glob) exists or matches; undefined: not checked */
  exists?: (rel: string) => boolean;
}

const REFERENCE = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;
/** instructions whose arguments the build expands ($VAR) itself; RUN's are the shell's */
const EXPANDED = new Set(['ADD', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'ARG']);
const SIGNALS = new Set(['HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE', 'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ', 'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS']);

/** The names a local image is known by, so `FROM alpine` finds `docker.io/library/alpine:latest`. */
export function imageAliases(ref: string): string[] {
  const withTag = /[:@][^/]*$/.test(ref) ? ref : `${ref}:latest`;
  const out = [withTag];
  if (!/^[^/]+[.:][^/]*\//.test(withTag) && !withTag.startsWith('localhost/')) {
    out.push(`docker.io/${withTag.includes('/') ? '' : 'library/'}${withTag}`);
  }
  return out;
}

function diag(range: Range, message: string, severity: DiagnosticSeverity, tags?: DiagnosticTag[]): Diagnostic {
  return { range, message, severity, source: 'nscope', ...(tags ? { tags } : {}) };
}

export function checkContainerfile(text: string, ctx: CheckContext = {}): Diagnostic[] {
  const file = parseContainerfile(text);
  const out: Diagnostic[] = file.errors.map((e) => diag(e.range, e.message, DiagnosticSeverity.Error));
  const stages = stagesOf(file);
  const stageNames = new Map<string, number>();
  const globalArgs = new Set<string>();
  let stage = -1;
  let declared = new Set<string>();

  for (const ins of file.instructions) {
    const known = INSTRUCTIONS[ins.keyword];
    if (!known) {
      const hint = closest(ins.keyword);
      out.push(diag(ins.keywordRange, `unknown instruction "${ins.keyword}"${hint ? `: did you mean ${hint}?` : ''}`, DiagnosticSeverity.Error));
      continue;
    }
    if (ins.keyword === 'FROM') { stage++; declared = new Set(); }
    if (stage < 0 && ins.keyword !== 'ARG') {
      out.push(diag(ins.keywordRange, `${ins.keyword} before the first FROM: only ARG may come before it`, DiagnosticSeverity.Error));
    }
    if (!ins.args && !ins.heredocs.length) {
      out.push(diag(ins.keywordRange, `${ins.keyword} needs arguments: ${known.syntax}`, DiagnosticSeverity.Error));
      continue;
    }
    for (const f of ins.flags) {
      if (!known.flags.includes(f.name)) out.push(diag(f.range, `unknown flag --${f.name} for ${ins.keyword}${known.flags.length ? ` (it takes ${known.flags.map((x) => `--${x}`).join(', ')})` : ''}`, DiagnosticSeverity.Error));
      // Docker's flags that nscope build refuses rather than ignore (helper/build/instruction-check.ts)
      else if (ins.keyword === 'COPY' && (f.name === 'parents' || f.name === 'exclude')) out.push(diag(f.range, `COPY --${f.name} is not supported by nscope build yet: the build stops here`, DiagnosticSeverity.Warning));
      else if (ins.keyword === 'RUN') {
        const problem = runFlagProblem(f.name, f.value ?? '');
        if (problem) out.push(diag(f.range, problem.message, problem.severity));
      }
    }
    if (ins.args.trim().startsWith('[') && !jsonForm(ins.args) && ['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'VOLUME', 'COPY', 'ADD'].includes(ins.keyword)) {
      out.push(diag(ins.argsRange, `${ins.keyword}: not a JSON array of strings ("double quotes"): it is taken as the shell form`, ins.keyword === 'SHELL' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning));
    }
    if (ins.keyword === 'MAINTAINER') out.push(diag(ins.keywordRange, 'MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors="…"', DiagnosticSeverity.Hint, [DiagnosticTag.Deprecated]));

    // variables the build expands must be declared before (in the stage, or globally for FROM)
    if (EXPANDED.has(ins.keyword)) {
      const visible = ins.keyword === 'FROM' ? globalArgs : declared;
      for (const v of variableRefs(ins.args, file.escape)) {
        if (visible.has(v.name) || PREDEFINED_ARGS.has(v.name)) continue;
        out.push(diag(argsSubrange(ins, v.start, v.end), `$${v.name} is not declared by an ARG${ins.keyword === 'FROM' ? ' before the first FROM' : ' or ENV before it in this stage'} (it would expand to nothing, unless the base image's environment has it)`, DiagnosticSeverity.Warning));
      }
    }
    switch (ins.keyword) {
      case 'ARG': case 'ENV': {
        const words = splitWords(ins.args, file.escape);
        const names = ins.keyword === 'ENV' && words.length >= 2 && !words[0].value.includes('=') ? [words[0].value] : words.map((w) => w.value.split('=')[0]);
        for (const n of names) (stage < 0 ? globalArgs : declared).add(n);
        break;
      }
      case 'FROM': out.push(...checkFrom(ins, file.escape, stage, stageNames, ctx)); break;
      case 'ONBUILD': {
        const problem = triggerProblem(ins.args);
        if (problem) out.push(diag(ins.argsRange, `ONBUILD: ${problem}`, DiagnosticSeverity.Error));
        break;
      }
      case 'COPY': case 'ADD': out.push(...checkCopy(ins, file.escape, stage, stageNames, stages.length, ctx)); break;
      case 'EXPOSE':
        for (const w of splitWords(ins.args, file.escape)) {
          if (w.value.includes('$')) continue;
          const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w.value);
          if (!m || [m[1], m[2]].some((p) => p !== undefined && (Number(p) < 1 || Number(p) > 65535))) {
            out.push(diag(argsSubrange(ins, w.start, w.end), `EXPOSE: "${w.value}" is not a port (1–65535, optionally /tcp or /udp)`, DiagnosticSeverity.Error));
          }
        }
        break;
      case 'STOPSIGNAL': {
        const s = ins.args.trim();
        const n = Number(s);
        if (!s.includes('$') && !(Number.isInteger(n) && n >= 1 && n <= 64) && !SIGNALS.has(s.toUpperCase().replace(/^SIG/, '')) && !/^SIGRTM(IN|AX)([+-]\d+)?$/i.test(s)) {
          out.push(diag(ins.argsRange, `STOPSIGNAL: "${s}" is not a signal (SIGTERM, SIGINT, 9, …)`, DiagnosticSeverity.Error));
        }
        break;
      }
    }
  }
  if (stage < 0 && file.instructions.length) out.push(diag(file.instructions[0].keywordRange, 'no FROM: a Containerfile starts a stage with FROM', DiagnosticSeverity.Error));
  return out;
}

function checkFrom(ins: Instruction, escape: string, stage: number, stageNames: Map<string, number>, ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const words = splitWords(ins.args, escape);
  const asAt = words.findIndex((w) => w.value.toLowerCase() === 'as');
  if (words.length > 1 && asAt !== 1) out.push(diag(ins.argsRange, 'FROM takes an image and optionally AS NAME', DiagnosticSeverity.Error));
  if (asAt === 1) {
    const name = words[2];
    if (!name) out.push(diag(argsSubrange(ins, words[1].start, words[1].end), 'AS needs a stage name', DiagnosticSeverity.Error));
    else if (!/^[a-z][a-z0-9-_.]*$/i.test(name.value)) out.push(diag(argsSubrange(ins, name.start, name.end), `"${name.value}" is not a stage name (a letter, then letters, digits, - _ .)`, DiagnosticSeverity.Error));
    else if (stageNames.has(name.value.toLowerCase())) out.push(diag(argsSubrange(ins, name.start, name.end), `stage name "${name.value}" is used twice`, DiagnosticSeverity.Error));
    else stageNames.set(name.value.toLowerCase(), stage);
    if (words.length > 3) out.push(diag(argsSubrange(ins, words[3].start, words[words.length - 1].end), 'FROM: nothing may follow the stage name', DiagnosticSeverity.Error));
  }
  const image = words[0];
  if (!image || image.value.includes('$') || image.value === 'scratch' || stageNames.has(image.value.toLowerCase()) && stageNames.get(image.value.toLowerCase())! < stage) return out;
  const where = argsSubrange(ins, image.start, image.end);
  if (!REFERENCE.test(image.value)) {
    out.push(diag(where, `"${image.value}": invalid reference format`, DiagnosticSeverity.Error));
  } else if (ctx.images && !imageAliases(image.value).some((a) => ctx.images!.has(a))) {
    out.push(diag(where, `"${image.value}" is not a local image: the build would pull it`, DiagnosticSeverity.Information));
  }
  return out;
}

function checkCopy(ins: Instruction, escape: string, stage: number, stageNames: Map<string, number>, stageCount: number, ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  const from = ins.flags.find((f) => f.name === 'from');
  if (from?.value !== undefined) {
    const v = from.value.toLowerCase();
    const idx = /^\d+$/.test(v) ? Number(v) : stageNames.get(v);
    if (/^\d+$/.test(v) && idx! >= stage) out.push(diag(from.range, `--from=${from.value}: stage ${v} is not before this one`, DiagnosticSeverity.Error));
    if (idx === undefined && stageCount > 0 && !REFERENCE.test(from.value)) out.push(diag(from.range, `--from=${from.value}: no such stage, and not an image reference`, DiagnosticSeverity.Error));
    return out; // sources are in the other stage or image
  }
  if (ins.heredocs.length) return out;
  const words = ins.json ? ins.json.map((value) => ({ value, start: 0, end: ins.args.length })) : splitWords(ins.args, escape);
  if (words.length < 2) { out.push(diag(ins.argsRange, `${ins.keyword} needs a source and a destination`, DiagnosticSeverity.Error)); return out; }
  for (const w of words.slice(0, -1)) {
    const src = w.value;
    if (src.includes('$') || (ins.keyword === 'ADD' && /^(https?:\/\/|git@)/.test(src))) continue;
    const rel = path.posix.normalize(src.replace(/^\/+/, ''));
    const range = ins.json ? ins.argsRange : argsSubrange(ins, w.start, w.end);
    if (rel === '..' || rel.startsWith('../')) { out.push(diag(range, `"${src}" is outside the build context`, DiagnosticSeverity.Error)); continue; }
    if (!ctx.exists || ctx.exists(rel)) continue;
    out.push(diag(range, /[*?[]/.test(rel) ? `"${src}" matches nothing in the build context (the Containerfile's folder)` : `"${src}" is not in the build context (the Containerfile's folder)`, DiagnosticSeverity.Warning));
  }
  return out;
}

/** RUN's --mount, --network and --security values as nscope build takes them (../language/run-flags.ts); values with variables are left to the build. */
function runFlagProblem(name: string, value: string): { message: string; severity: DiagnosticSeverity } | undefined {
  if (name === 'mount') {
    const problem = mountProblem(value);
    if (problem) return { message: problem, severity: DiagnosticSeverity.Error };
    if (/(^|,)\s*type=ssh\b/i.test(value)) return { message: '--mount=type=ssh: nscope build has no SSH agent forwarding (a --secret can carry a key)', severity: DiagnosticSeverity.Warning };
  }
  if (name === 'network' && !value.includes('$') && !RUN_NETWORKS.includes(value)) return { message: `--network=${value}: ${RUN_NETWORKS.join(', ')}`, severity: DiagnosticSeverity.Error };
  if (name === 'security' && value === 'insecure') return { message: '--security=insecure: nscope build runs every step sandboxed', severity: DiagnosticSeverity.Warning };
  return undefined;
}
