// `run`/`create --cidfile FILE`, as Docker's client does it: the file is
// made (it must not exist: another container's ID is not overwritten) before
// the container is, holds the new container's ID once it is created, and is
// removed again when the create fails, so a script finds an ID there or no file.
// A file it cannot claim is a flag error: exit 125, as Docker's.
import * as fs from 'fs';
import { FlagError } from './args';

export interface CidFile {
  /** writes the container's ID */
  write(id: string): void;
  /** the create failed: the file goes */
  drop(): void;
}

const NONE: CidFile = { write: () => undefined, drop: () => undefined };

/** Claims `file` (absent: nothing to do); a file already there is refused. */
export function claimCidFile(file: string | undefined): CidFile {
  if (file === undefined) return NONE;
  if (!file) throw new FlagError('--cidfile: a file name is needed');
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o644);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EEXIST') throw new FlagError(`container ID file found, make sure the other container isn't running or delete ${file}`);
    throw new FlagError(`--cidfile ${file}: ${err.code === 'ENOENT' ? 'no such directory' : err.code === 'EACCES' ? 'permission denied' : err.message}`);
  }
  return {
    write: (id) => { try { fs.writeSync(fd, id); } finally { fs.closeSync(fd); } },
    drop: () => { try { fs.closeSync(fd); } catch { /* written and closed */ } fs.rmSync(file, { force: true }); },
  };
}
