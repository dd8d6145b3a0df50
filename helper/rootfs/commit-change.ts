// `nscope commit --change 'INSTRUCTION ...'`: the Dockerfile instructions
// that only change an image's config, applied as `docker commit --change`
// applies them. CMD, ENTRYPOINT and VOLUME take the JSON-array (exec) form or
// the shell form; ENV and LABEL take `k=v k2="v 2"` or the legacy `k v`;
// words are unquoted ('…', "…", \x) and $VAR / ${VAR} / ${VAR:-x} / ${VAR:+x}
// are expanded from the config's Env, except in CMD and ENTRYPOINT.
import * as path from 'path';
import { invalid } from '../errors';
import type { OciContainerConfig } from '../images/oci';
import { goDurationMs } from '../lib/go-duration';
import { processWords } from '../../language/containerfile';
import { triggerProblem } from '../../language/onbuild';

export const SUPPORTED_CHANGES = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'] as const;


function envMap(env: string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of env ?? []) {
    const i = kv.indexOf('=');
    if (i > 0) m.set(kv.slice(0, i), kv.slice(i + 1));
    else if (kv) m.set(kv, '');
  }
  return m;
}

/**
 * Splits `s` into words the way a Dockerfile does (quotes removed, backslash
 * escapes, variables expanded from `env`): the build's lexer, Docker's
 * (language/containerfile.ts processWords). With `split` false the whole
 * string is one word (whitespace kept). A failure names `where`.
 */
export function shellWords(s: string, env: Map<string, string>, split = true, where = 'value'): string[] {
  try {
    return processWords(s, (n) => env.get(n), '\\', split);
  } catch (e) {
    throw invalid(`${where}: ${(e as Error).message}`);
  }
}

/** The JSON-array (exec) form, or undefined when `rest` is the shell form (as Docker decides). */
function execForm(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(rest) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch { /* not JSON: shell form */ }
  return undefined;
}

/** `k=v k2="v 2"` or the legacy `k the rest` form, for ENV and LABEL. */
function pairs(what: string, rest: string, env: Map<string, string>): Array<[string, string]> {
  // the first word ends at a blank outside quotes, as Docker's parseWords has it: `"key with space"=v` is the = form
  const first = /^(?:[^\s"'\\]|\\.|"(?:[^"\\]|\\.)*"|'[^']*')*/s.exec(rest)![0] || rest.split(/\s/, 1)[0];
  if (!first.includes('=')) {
    const value = rest.slice(first.length).trim();
    if (!value) throw invalid(`${what}: "${rest}" has no value (use ${what} KEY=VALUE)`);
    return [[shellWords(first, env, false, what)[0] ?? '', shellWords(value, env, false, what)[0] ?? '']];
  }
  return shellWords(rest, env, true, what).map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw invalid(`${what}: "${w}" is not KEY=VALUE`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** Applies `changes` in order to a copy of `cfg`; throws naming the first bad one (`verb`: the command the error names). */
export function applyChanges(cfg: OciContainerConfig, changes: string[] | undefined, verb = 'commit'): OciContainerConfig {
  const out: OciContainerConfig = { ...cfg };
  if (changes === undefined) return out;
  if (!Array.isArray(changes)) throw invalid('changes: must be a list of instructions');
  let cmdSet = false;
  for (const raw of changes) {
    if (typeof raw !== 'string') throw invalid('changes: each change is a string such as "CMD [\\"sh\\"]"');
    const line = raw.trim();
    const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(line);
    if (!m) throw invalid('--change: empty instruction');
    const instr = m[1].toUpperCase();
    const rest = (m[2] ?? '').trim();
    const what = `--change "${line.length > 60 ? line.slice(0, 57) + '...' : line}"`;
    if (!(SUPPORTED_CHANGES as readonly string[]).includes(instr)) {
      throw invalid(`${what}: ${instr} cannot be used with ${verb} (only ${SUPPORTED_CHANGES.join(', ')})`);
    }
    if (!rest) throw invalid(`${what}: ${instr} needs an argument`);
    const env = envMap(out.Env);
    const shell = Array.isArray(out.Shell) && out.Shell.every((x) => typeof x === 'string') ? out.Shell as string[] : ['/bin/sh', '-c'];
    switch (instr) {
      case 'CMD':
        out.Cmd = execForm(rest) ?? [...shell, rest];
        cmdSet = true;
        break;
      case 'ENTRYPOINT':
        out.Entrypoint = execForm(rest) ?? [...shell, rest];
        // as in a Dockerfile: a new entrypoint drops the inherited CMD unless CMD was given too
        if (!cmdSet) delete out.Cmd;
        break;
      case 'ENV': {
        const list = [...(out.Env ?? [])];
        for (const [k, v] of pairs(what, rest, env)) {
          const i = list.findIndex((e) => e === k || e.startsWith(`${k}=`));
          if (i >= 0) list[i] = `${k}=${v}`; else list.push(`${k}=${v}`);
        }
        out.Env = list;
        break;
      }
      case 'LABEL':
        out.Labels = { ...(out.Labels ?? {}) };
        for (const [k, v] of pairs(what, rest, env)) out.Labels[k] = v;
        break;
      case 'WORKDIR': {
        const dir = shellWords(rest, env, false, what)[0] ?? '';
        if (!dir) throw invalid(`${what}: WORKDIR needs a directory`);
        const base = out.WorkingDir && out.WorkingDir.startsWith('/') ? out.WorkingDir : '/';
        out.WorkingDir = path.posix.normalize(dir.startsWith('/') ? dir : path.posix.join(base, dir)).replace(/(.)\/+$/, '$1');
        break;
      }
      case 'USER': {
        const words = shellWords(rest, env, true, what);
        if (words.length !== 1 || !/^[^:\s]+(:[^:\s]+)?$/.test(words[0])) throw invalid(`${what}: USER takes one user[:group]`);
        out.User = words[0];
        break;
      }
      case 'EXPOSE': {
        const ports = { ...(out.ExposedPorts ?? {}) };
        for (const w of shellWords(rest, env, true, what)) {
          const p = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
          const lo = p ? Number(p[1]) : 0;
          const hi = p?.[2] ? Number(p[2]) : lo;
          if (!p || lo < 1 || hi > 65535 || hi < lo) throw invalid(`${what}: "${w}" is not a port or port range (80, 80/udp, 8000-8010)`);
          for (let n = lo; n <= hi; n++) ports[`${n}/${(p[3] ?? 'tcp').toLowerCase()}`] = {};
        }
        out.ExposedPorts = ports;
        break;
      }
      case 'VOLUME': {
        const vols = { ...(out.Volumes ?? {}) };
        for (const v of execForm(rest) ?? shellWords(rest, env, true, what)) {
          if (!v.startsWith('/')) throw invalid(`${what}: volume "${v}" is not an absolute path`);
          vols[v] = {};
        }
        out.Volumes = vols;
        break;
      }
      case 'HEALTHCHECK': {
        // Docker's image config: Test ["NONE"] | ["CMD", …] | ["CMD-SHELL", "…"], durations in nanoseconds
        if (/^NONE$/i.test(rest)) { out.Healthcheck = { Test: ['NONE'] }; break; }
        const hc: Record<string, unknown> = {};
        let body = rest;
        for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(body); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(body)) {
          const key = { interval: 'Interval', timeout: 'Timeout', 'start-period': 'StartPeriod', 'start-interval': 'StartInterval', retries: 'Retries' }[m[1]];
          if (!key) throw invalid(`${what}: unknown HEALTHCHECK option --${m[1]}`);
          hc[key] = key === 'Retries' ? Number(m[2]) : durationNs(m[2], what);
          if (key === 'Retries' && !(Number.isInteger(hc[key]) && (hc[key] as number) >= 0)) throw invalid(`${what}: --retries takes a count`);
          body = body.slice(m[0].length);
        }
        const cmd = /^CMD\s+([\s\S]+)$/i.exec(body.trim());
        if (!cmd) throw invalid(`${what}: HEALTHCHECK takes [OPTIONS] CMD command, or NONE`);
        const exec = execForm(cmd[1].trim());
        out.Healthcheck = { Test: exec ? ['CMD', ...exec] : ['CMD-SHELL', cmd[1].trim()], ...hc };
        break;
      }
      case 'SHELL': {
        // recorded in the config (as Docker's Shell): the shell form of a later CMD, ENTRYPOINT or RUN uses it
        const exec = execForm(rest);
        if (!exec || !exec.length) throw invalid(`${what}: SHELL takes the JSON form: SHELL ["/bin/sh", "-c"]`);
        out.Shell = exec;
        break;
      }
      case 'ONBUILD': {
        // the JSON form sets the whole list (`ONBUILD []`: nscope build clears a base's triggers so);
        // else one trigger more, kept as written, as Docker keeps it
        const list = execForm(rest);
        if (list) {
          const bad = list.map(triggerProblem).find((x) => x);
          if (bad) throw invalid(`${what}: ${bad}`);
          out.OnBuild = list.length ? list : undefined;
          break;
        }
        const bad = triggerProblem(rest);
        if (bad) throw invalid(`${what}: ${bad}`);
        out.OnBuild = [...(Array.isArray(out.OnBuild) ? out.OnBuild : []), rest];
        break;
      }
      case 'STOPSIGNAL': {
        const words = shellWords(rest, env, true, what);
        if (words.length !== 1 || !/^(SIG)?[A-Z0-9+-]+$|^\d+$/i.test(words[0])) throw invalid(`${what}: STOPSIGNAL takes one signal name or number`);
        out.StopSignal = words[0];
        break;
      }
    }
  }
  return out;
}

/** "30s", "1m30s", "500ms", "2h" as nanoseconds (Go's time.ParseDuration, the units Docker takes). */
function durationNs(s: string, what: string): number {
  const ms = goDurationMs(s, { leadingDigit: true });
  if (ms === undefined) throw invalid(`${what}: "${s}" is not a duration (e.g. 30s, 1m30s)`);
  return Math.round(ms * 1e6);
}
