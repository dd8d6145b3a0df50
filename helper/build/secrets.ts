// `nscope build --secret id=ID[,src=FILE|,env=VAR][,type=file|env]`, as
// docker build takes it: what a RUN --mount=type=secret,id=ID shows the step
// as a file, and never leaves in a layer or in the cache's keys. Read and
// checked before anything is built: a missing file or variable is the
// build's error, not a step's.
import * as fs from 'fs';
import { UsageError } from '../cli/args';

/** BuildKit's bound on a secret */
const MAX_SECRET = 500 * 1024;

const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** The secrets by id, their bytes read now. */
export function parseSecrets(specs: string[] | undefined, env: NodeJS.ProcessEnv = process.env): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const spec of specs ?? []) {
    const f = new Map<string, string>();
    for (const part of spec.split(',')) {
      const i = part.indexOf('=');
      if (i <= 0) throw new UsageError(`--secret ${spec}: "${part}" is not KEY=VALUE (id=ID,src=FILE or id=ID,env=VAR)`);
      const k = part.slice(0, i).trim().toLowerCase();
      if (!['id', 'src', 'source', 'env', 'type'].includes(k)) throw new UsageError(`--secret ${spec}: unknown key "${k}" (id, src, env, type)`);
      f.set(k === 'source' ? 'src' : k, part.slice(i + 1));
    }
    const id = f.get('id');
    if (!id || !ID.test(id)) throw new UsageError(`--secret ${spec}: an id is needed (letters, digits, _ . -)`);
    if (out.has(id)) throw new UsageError(`--secret: the id "${id}" is given twice`);
    const type = f.get('type');
    if (type !== undefined && type !== 'file' && type !== 'env') throw new UsageError(`--secret ${spec}: type is file or env, not "${type}"`);
    let bytes: Buffer;
    const src = f.get('src');
    if (src !== undefined && type !== 'env') {
      let st: fs.Stats;
      try { st = fs.statSync(src); } catch (e) { throw new UsageError(`--secret ${spec}: ${src}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`); }
      if (!st.isFile()) throw new UsageError(`--secret ${spec}: ${src} is not a file`);
      if (st.size > MAX_SECRET) throw new UsageError(`--secret ${spec}: ${src} is ${st.size} bytes; a secret is at most ${MAX_SECRET}`);
      bytes = fs.readFileSync(src);
    } else {
      // env=VAR, type=env with src=VAR, or the id alone: the variable of that name
      const name = f.get('env') ?? (type === 'env' ? src : undefined) ?? id;
      const v = env[name];
      if (v === undefined) throw new UsageError(`--secret ${spec}: ${f.has('env') || type === 'env' ? `the environment variable ${name} is not set` : `no src=FILE, and no environment variable ${name}`}`);
      bytes = Buffer.from(v);
      if (bytes.length > MAX_SECRET) throw new UsageError(`--secret ${spec}: ${name} is ${bytes.length} bytes; a secret is at most ${MAX_SECRET}`);
    }
    out.set(id, bytes);
  }
  return out;
}
