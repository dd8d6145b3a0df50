// Layer and archive streams come plain, gzip- or zstd-compressed; which one
// is told by the first bytes (gzip: 1f 8b, zstd: 28 b5 2f fd), not by a file
// name or media type that an archive could get wrong. zstd goes through the
// zstd program (node 20's zlib has no zstd; the program is faster than any
// JavaScript decoder and runs beside the unpacker on another core).
import { spawn } from 'child_process';
import { Readable, pipeline } from 'stream';
import * as zlib from 'zlib';
import { invalid } from '../errors';

export type Compression = 'none' | 'gzip' | 'zstd';

/** The first bytes of a stream without losing them: returns them and an iterable of the whole stream. */
async function peek(input: AsyncIterable<Buffer>, n: number): Promise<{ head: Buffer; all: AsyncIterable<Buffer> }> {
  const it = input[Symbol.asyncIterator]();
  const got: Buffer[] = [];
  let len = 0;
  let done = false;
  while (len < n) {
    const r = await it.next();
    if (r.done) { done = true; break; }
    got.push(r.value);
    len += r.value.length;
  }
  const head = Buffer.concat(got);
  async function* all(): AsyncGenerator<Buffer> {
    try {
      if (head.length) yield head;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      // stopping early (an error in the consumer) must still close the source
      await it.return?.();
    }
  }
  return { head, all: all() };
}

/**
 * The uncompressed bytes of `input` (a tar, or a gzipped tar). `label` names
 * the stream in errors ("layer sha256:ab12…: gzip: unexpected end of file").
 */
export async function uncompressed(input: Readable, label: string): Promise<{ stream: AsyncIterable<Buffer>; compression: Compression }> {
  const { head, all } = await peek(input, 4);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    // 1 MiB output chunks: the default 16 KiB makes every later stage (hash, tar, writes) run 64 times as often
    const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
    const src = Readable.from(all, { objectMode: false });
    pipeline(src, gunzip, () => { /* errors surface through the gunzip iterator below */ });
    async function* out(): AsyncGenerator<Buffer> {
      try {
        for await (const b of gunzip) yield b as Buffer;
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code?.startsWith('Z_') || err.code === 'ERR_STREAM_PREMATURE_CLOSE') throw invalid(`${label}: gzip: ${err.message}`);
        throw e;
      } finally {
        gunzip.destroy();
        src.destroy();
      }
    }
    return { stream: out(), compression: 'gzip' };
  }
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return { stream: unzstd(all, label), compression: 'zstd' };
  return { stream: all, compression: 'none' };
}

/** zstd -d as a stream: the program's stdout, with its failure (or absence) named. */
async function* unzstd(input: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { if (stderr.length < 2000) stderr += d; });
  const spawned = new Promise<void>((resolve, reject) => { child.once('spawn', resolve); child.once('error', reject); });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  try {
    await spawned;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw invalid(`${label}: a zstd-compressed layer needs the zstd program${err.code === 'ENOENT' ? ' (apt-get install zstd)' : `: ${err.message}`}`);
  }
  const src = Readable.from(input, { objectMode: false });
  // a consumer that stops early closes stdin: the broken pipe is not the error to report
  pipeline(src, child.stdin, () => { /* the exit status below says what went wrong */ });
  try {
    for await (const b of child.stdout) yield b as Buffer;
    const code = await exited;
    if (code !== 0) throw invalid(`${label}: zstd: ${stderr.trim().split('\n').pop() || `exit status ${code}`}`);
  } finally {
    src.destroy();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
