// Files between the host and a container from VS Code: a drop on a
// container folder (upload) and Download… (to a host folder). Uploads go
// through the writable provider (fs/file-provider.ts: the helper writes them
// inside the container's root, as its root user, modes of new files kept);
// downloads read through the provider and write a tree on the host with the
// modes, symlinks and (when VS Code runs as root) owners the container has,
// as `docker cp` does — never following a link the container made: a name
// from a listing is one path component, a symlink is made as a symlink and
// nothing is written beneath it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FileInfo } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import type { FileProvider } from './file-provider';
import { parseFileUri } from './file-uri';

/** Copies a host file or folder (`local`) into the container folder `dir` (an nscope-container: URI). Returns the files written. */
export async function upload(provider: FileProvider, local: string, dir: vscode.Uri): Promise<number> {
  const st = fs.lstatSync(local);
  const target = vscode.Uri.joinPath(dir, path.basename(local));
  if (st.isDirectory()) {
    try { await provider.createDirectory(target); } catch (e) { if (!(e instanceof vscode.FileSystemError && e.code === 'FileExists')) throw e; }
    let n = 0;
    for (const name of fs.readdirSync(local).sort()) n += await upload(provider, path.join(local, name), target);
    return n;
  }
  if (!st.isFile()) return 0; // links, sockets, devices: not what a drop means
  // streamed from disk: a large file is never read whole into the extension host's memory
  await provider.uploadFile(target, local, st.mode & 0o7777);
  return 1;
}

/** Copies the container's (or image's) file or folder `uri` into the host folder `destDir`, as a new entry of the same name. */
export async function download(conn: Connection, uri: vscode.Uri, destDir: string): Promise<string> {
  const ref = parseFileUri(uri);
  const info = await conn.request('file.stat', { ...ref.source, path: ref.path, nofollow: true });
  const target = path.join(destDir, ref.path === '/' ? 'root' : path.posix.basename(ref.path));
  if (fs.existsSync(target)) throw new Error(`${target} exists: nothing downloaded`);
  await copyOut(conn, ref.source, ref.path, info, target);
  return target;
}

async function copyOut(conn: Connection, source: object, p: string, info: FileInfo, target: string): Promise<void> {
  switch (info.type) {
    case 'dir': {
      fs.mkdirSync(target, { mode: 0o700 });
      const r = await conn.request('file.list', { ...source, path: p });
      for (const e of r.entries) await copyOut(conn, source, path.posix.join(p, e.name), e, path.join(target, e.name));
      break;
    }
    case 'symlink': fs.symlinkSync(info.target ?? '', target); break;
    case 'file': {
      const fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      try {
        for (let offset = 0; ;) {
          const r = await conn.request('file.read', { ...source, path: p, offset });
          const b = Buffer.from(r.data, 'base64');
          fs.writeSync(fd, b);
          offset += r.length;
          if (r.eof || !r.length) break;
        }
      } finally { fs.closeSync(fd); }
      break;
    }
    default: return; // devices, fifos, whiteouts: not files to download
  }
  if (process.getuid?.() === 0) fs.lchownSync(target, info.uid, info.gid);
  if (info.type !== 'symlink') fs.chmodSync(target, info.mode & 0o7777);
}
