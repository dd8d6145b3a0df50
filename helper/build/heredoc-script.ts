// `RUN <<EOF` whose body starts with `#!`: BuildKit runs it as a script file
// with that interpreter (`#!/usr/bin/env python3` then Python), not through
// the shell, which would read the `#!` line as a comment and the rest as
// shell. The body is put in the step's container as a file before it starts
// and the interpreter named by its first line runs it, as the kernel would
// (the path, then at most one argument: the rest of the line); the file's
// folder is left out of the step's layer.
import { tarBuffer } from '../images/tar-writer';

/** Where the script is put in the step's container (a fixed path: it is part of the step's command and key). */
export const SCRIPT_DIR = '/.nscope-heredoc';

/** The command that runs `body` as a script (`[interpreter, arg?, file]`), or undefined when it has no `#!` line. */
export function shebangCommand(name: string, body: string): string[] | undefined {
  const m = /^#!([^\n]*)/.exec(body);
  if (!m) return undefined;
  const line = m[1].trim();
  const interp = /^\S+/.exec(line)?.[0];
  if (!interp) return undefined;
  const arg = line.slice(interp.length).trim();
  return [interp, ...(arg ? [arg] : []), `${SCRIPT_DIR}/${name}`];
}

/** The tar that puts the script at SCRIPT_DIR/NAME, executable, for a copy into the container's root. */
export function scriptArchive(name: string, body: string): Buffer {
  const dir = SCRIPT_DIR.slice(1);
  return tarBuffer([
    { name: dir, type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 0 },
    { name: `${dir}/${name}`, type: 'file', mode: 0o755, uid: 0, gid: 0, mtime: 0, data: body },
  ]);
}
