// The extra attributes of a container's log lines (`--log-opt labels=…,
// labels-regex=…, env=…, env-regex=…, tag=…`), which `logs --details` shows
// before each line as Docker does: `k=v,k2=v2 line`, keys sorted, both sides
// escaped as Go's url.QueryEscape escapes them. Docker stores them in every
// JSON line; they are the container's constants (its labels, its env, its
// name and image), so nscope works them out when the log is read instead.
import { invalid } from '../errors';
import { parseTemplate, TemplateError } from '../lib/go-template';

/** The log options this file reads (helper/runtime/log-config.ts takes them). */
export const ATTR_OPTIONS = ['labels', 'labels-regex', 'env', 'env-regex', 'tag'];

const MAX_OPTION = 1024;

/** Checked at create: a regex that does not compile or a tag that does not parse is refused then, not at each read. */
export function checkAttrOption(key: string, value: string): void {
  if (value.length > MAX_OPTION) throw invalid(`--log-opt ${key}: longer than ${MAX_OPTION} characters`);
  if (key.endsWith('-regex')) {
    try { new RegExp(value); } catch (e) { throw invalid(`--log-opt ${key}: ${(e as Error).message}`); }
  }
  if (key === 'tag') {
    try { parseTemplate(value); } catch (e) { throw invalid(`--log-opt tag: ${(e as Error).message}`); }
  }
}

export interface LogSource { id: string; name: string; image: string; imageId: string; labels: Record<string, string>; env: string[] }

/** Docker's loginfo.ExtraAttributes, plus `tag` (its template over ID, FullID, Name, ImageID, ImageFullID, ImageName, DaemonName). */
export function logAttrs(config: Record<string, string>, c: LogSource): Record<string, string> {
  const attrs: Record<string, string> = {};
  const has = (o: object, k: string) => Object.hasOwn(o, k);
  for (const k of (config.labels ?? '').split(',')) if (k && has(c.labels, k)) attrs[k] = c.labels[k];
  if (config['labels-regex']) {
    const re = new RegExp(config['labels-regex']);
    for (const [k, v] of Object.entries(c.labels)) if (re.test(k)) attrs[k] = v;
  }
  const env = new Map<string, string>();
  for (const e of c.env) { const i = e.indexOf('='); if (i > 0) env.set(e.slice(0, i), e.slice(i + 1)); }
  for (const k of (config.env ?? '').split(',')) if (k && env.has(k)) attrs[k] = env.get(k)!;
  if (config['env-regex']) {
    const re = new RegExp(config['env-regex']);
    for (const [k, v] of env) if (re.test(k)) attrs[k] = v;
  }
  if (config.tag) {
    const imageFull = c.imageId.replace(/^sha256:/, '');
    const data = { ID: c.id.slice(0, 12), FullID: c.id, Name: c.name, ImageID: imageFull.slice(0, 12), ImageFullID: c.imageId, ImageName: c.image, DaemonName: 'nscope' };
    try {
      const tag = parseTemplate(config.tag).execute(data);
      if (tag) attrs.tag = tag;
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      throw invalid(`--log-opt tag: ${e.message}`);
    }
  }
  return attrs;
}
