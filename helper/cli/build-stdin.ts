// `nscope build -` and `nscope build -f - CONTEXT`, as docker build takes
// them: the Containerfile read from stdin. `build -`: stdin is the
// Containerfile and there is no context (an empty folder of our own stands
// for it, removed after the build: a COPY finds nothing in it, as Docker
// says). A context sent as a tar on stdin (`build - < ctx.tar.gz`) is
// refused, said so, rather than read as a Containerfile. Both from stdin at
// once is refused, as Docker does.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UsageError } from './args';

export interface StdinBuild {
  context: string;
  /** the Containerfile's text, when it came from stdin */
  fileText?: string;
  /** removes the empty context made for `build -` */
  cleanup(): void;
}

/** gzip, bzip2, xz, zstd, or a ustar header: what Docker takes as a context archive on stdin */
function looksLikeArchive(b: Buffer): boolean {
  const magic = [[0x1f, 0x8b], [0x42, 0x5a, 0x68], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], [0x28, 0xb5, 0x2f, 0xfd]];
  return magic.some((m) => m.every((x, i) => b[i] === x)) || b.subarray(257, 262).toString('latin1') === 'ustar';
}

export function stdinBuild(context: string, file: string | undefined, readStdin: () => Buffer = () => fs.readFileSync(0)): StdinBuild {
  const none = { context, cleanup: () => undefined };
  if (context !== '-' && file !== '-') return none;
  if (context === '-' && file === '-') throw new UsageError('invalid argument: can\'t use stdin for both build context and dockerfile');
  const input = readStdin();
  if (context !== '-') return { ...none, fileText: input.toString('utf8') };
  if (looksLikeArchive(input)) throw new UsageError('build -: a build context as an archive on stdin is not supported by nscope build yet (unpack it and give its folder)');
  if (file !== undefined) throw new UsageError(`build -: the Containerfile is stdin, -f ${file} names another`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nscope-build-stdin-'));
  return { context: dir, fileText: input.toString('utf8'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
