// The folders a WORKDIR makes, as BuildKit makes them: each missing one (the
// parents too) owned by the USER at that WORKDIR — so after `USER app` and
// `WORKDIR /home/app/data` the app may write where it runs — and made by the
// next step that makes a layer (or one of their own at a stage's end), with
// that step's files. Folders already in the image are left as they are. (The
// runtime would make a missing working directory too, but as root.)
import { sendArchive } from '../files/send-archive';
import { tarBuffer } from '../images/tar-writer';
import type { HelperClient } from '../protocol/client';
import { resolveUserFrom } from '../runtime/user';
import { invalid } from '../errors';
import { BuildError } from './build-error';

/** A WORKDIR whose folder is still to be made: its path, the USER then, and FILE:LINE for errors. */
export interface PendingWorkdir { dir: string; user: string; at: string }

type Client = Pick<HelperClient, 'request'>;

/** USER's uid and gid as the runtime reads them (names and a numeric uid's primary group from the image's files). */
async function userIds(c: Client, image: string, user: string, at: string): Promise<[number, number]> {
  if (!user) return [0, 0];
  const read = async (file: string): Promise<string | null> => {
    try { return Buffer.from((await c.request('file.read', { image, path: file, length: 4 << 20 })).data, 'base64').toString('utf8'); } catch { return null; }
  };
  const files = { passwd: await read('/etc/passwd'), group: await read('/etc/group') };
  try {
    const u = resolveUserFrom(user, files, (kind, name) => invalid(`unable to find ${kind} ${name}: no matching entries in the image's /etc/${kind === 'user' ? 'passwd' : 'group'}`), 'USER');
    return [u.uid, u.gid];
  } catch (e) {
    throw new BuildError(`${at}: WORKDIR: ${(e as Error).message}`);
  }
}

/** Makes the missing folders of `dirs` in container `id` (on `image`), each owned by its USER. */
export async function makeWorkdirs(c: Client, socket: string, id: string, image: string, dirs: PendingWorkdir[]): Promise<void> {
  await makeFolders(c, socket, id, image, dirs.map(({ dir, user, at }) => ({ dir, owner: () => userIds(c, image, user, at) })));
}

/**
 * Makes each folder of `dirs` (and its parents) that `image` does not have in
 * container `id`, owned by what its `owner` answers (asked only when one is
 * missing). Also what `COPY --chown` does to the folders it makes on the way
 * to its destination, as Docker's builders do.
 */
export async function makeFolders(c: Client, socket: string, id: string, image: string, dirs: { dir: string; owner: () => Promise<[number, number]> }[]): Promise<void> {
  const made = new Set<string>();
  const entries: Parameters<typeof tarBuffer>[0] = [];
  const mtime = Math.floor(Date.now() / 1000);
  for (const { dir, owner } of dirs) {
    let ids: [number, number] | undefined;
    let p = '';
    for (const part of dir.split('/').filter(Boolean)) {
      p += `/${part}`;
      if (made.has(p)) continue;
      if (await c.request('file.stat', { image, path: p }).then(() => true, () => false)) continue;
      ids ??= await owner();
      made.add(p);
      entries.push({ name: p.slice(1), type: 'dir', mode: 0o755, uid: ids[0], gid: ids[1], mtime });
    }
  }
  if (entries.length) await sendArchive(socket, { kind: 'cp-in', id, path: '/', archive: true, parents: true }, [tarBuffer(entries)]);
}
