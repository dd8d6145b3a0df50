// `run --log-driver` and `--log-opt`: where a container's output is kept.
// json-file (the default) is Docker's: a JSON line per line of output, with
// `max-size` and `max-file` rotation done by the shim as it writes
// (native/shim/logjson.c: log -> log.1 -> … -> log.N-1); `local` is taken as
// json-file with Docker's local defaults (20m, 5 files); `none` keeps
// nothing (`logs` says so, as Docker does; attach still works). labels,
// labels-regex, env, env-regex and tag are the attributes `logs --details`
// shows (./log-attrs.ts). The other drivers (syslog, journald, fluentd, …)
// and options nscope does not honour (compress, …) are refused by name
// rather than ignored.
import { parseBytes } from '../cgroups/units';
import { invalid } from '../errors';
import { ATTR_OPTIONS, checkAttrOption } from './log-attrs';

export interface LogConfig {
  type: 'json-file' | 'local' | 'none';
  /** the options as given (inspect's HostConfig.LogConfig.Config) */
  config: Record<string, string>;
  /** bytes a file may reach before rotation (absent: never) */
  maxSize?: number;
  /** files kept, the live one included */
  maxFiles?: number;
}

const DRIVERS = ['json-file', 'local', 'none'];
const OPTIONS = ['max-size', 'max-file', ...ATTR_OPTIONS];
const MAX_FILES = 100;
/** the smallest max-size taken: a line of output must fit (Docker's json-file has no floor; 1 byte would rotate every line) */
const MIN_SIZE = 4096;

export function logConfigOf(driver: string | undefined, opts: string[] | undefined): LogConfig | undefined {
  const type = driver === undefined || driver === '' ? 'json-file' : driver;
  if (!DRIVERS.includes(type)) throw invalid(`logging driver "${type.slice(0, 40)}" is not supported by nscope (json-file, local, none)`);
  const config: Record<string, string> = {};
  for (const o of opts ?? []) {
    if (typeof o !== 'string') throw invalid('--log-opt: must be KEY=VALUE');
    const i = o.indexOf('=');
    if (i <= 0) throw invalid(`--log-opt: invalid log opt format "${o.slice(0, 60)}": expected KEY=VALUE`);
    const [k, v] = [o.slice(0, i), o.slice(i + 1)];
    if (type === 'none') throw invalid(`--log-opt: the none logging driver takes no options (${k.slice(0, 40)})`);
    if (!OPTIONS.includes(k)) throw invalid(`unknown log opt '${k.slice(0, 40)}' for ${type} log driver (nscope honours ${OPTIONS.join(', ')})`);
    if (ATTR_OPTIONS.includes(k)) checkAttrOption(k, v);
    config[k] = v;
  }
  if (type === 'json-file' && !Object.keys(config).length && driver === undefined) return undefined;
  const out: LogConfig = { type: type as LogConfig['type'], config };
  if (type === 'none') return out;
  const size = config['max-size'] ?? (type === 'local' ? '20m' : undefined);
  const files = config['max-file'] ?? (type === 'local' ? '5' : undefined);
  if (size !== undefined && size !== '-1') {
    out.maxSize = parseBytes(size, '--log-opt max-size');
    if (out.maxSize < MIN_SIZE) throw invalid(`--log-opt max-size: ${size} is below ${MIN_SIZE} bytes`);
  }
  if (files !== undefined) {
    const n = Number(files);
    if (!/^\d+$/.test(files) || n < 1 || n > MAX_FILES) throw invalid(`--log-opt max-file: ${files.slice(0, 20)} must be a number from 1 to ${MAX_FILES}`);
    // Docker's json-file: more than one file without a size would never rotate
    if (n > 1 && out.maxSize === undefined) throw invalid('--log-opt max-file: needs max-size to be set too (more than one file without a size never rotates)');
    out.maxFiles = n;
  }
  if (out.maxSize !== undefined) out.maxFiles ??= 1;
  return out;
}
