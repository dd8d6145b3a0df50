// container.diff and the file views (file.list / file.stat / file.read); the
// layers are found by ../../rootfs/views.ts and ../../rootfs/container-diff.ts.
import type { DiffMethods, FileSource } from '../../protocol';
import { diffContainer } from '../../rootfs/container-diff';
import { listDir, readFile, statPath } from '../../rootfs/read';
import { viewOf } from '../../rootfs/views';
import { routed } from './engine-route';
import { editFiles, writeAs } from '../../files/edit';
import { mountedContainer, readMounted } from '../../files/mounted-read';
import { obj, type AreaHandlers, type HelperServices } from './types';
import { invalid } from '../../errors';

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || !v) throw invalid(`${what}: a non-empty string is expected`);
  return v;
};

export function diffHandlers(s: HelperServices): AreaHandlers<keyof DiffMethods> {
  const view = (p: FileSource) => viewOf(s.containers, s.images, p);
  return {
    'container.diff': (p) => routed(s, obj(p).id, (id) => s.engines.diff(id, !!p.details), () => diffContainer(s.containers, p.id, !!p.details)),
    // below a running container's volume, bind or tmpfs: read in its mount namespace, not from its layers
    'file.list': (p) => {
      const id = mountedContainer(s.containers, obj(p), p.path);
      return id ? readMounted(s.containers, id, { op: 'list', path: p.path }) : listDir(view(p), p.path);
    },
    'file.stat': (p) => {
      const id = mountedContainer(s.containers, obj(p), p.path);
      return id ? readMounted(s.containers, id, { op: 'stat', path: p.path, nofollow: !!p.nofollow }) : statPath(view(p), p.path, !!p.nofollow);
    },
    'file.read': (p) => {
      const id = mountedContainer(s.containers, obj(p), p.path);
      return id ? readMounted(s.containers, id, { op: 'read', path: p.path, offset: p.offset, length: p.length }) : readFile(view(p), p.path, p.offset ?? 0, p.length ?? undefined);
    },
    'file.mkdir': async (p) => { await editFiles(s.containers, str(obj(p).container, 'container'), { op: 'mkdir', path: str(p.path, 'path'), user: writeAs(p.user, 'file.mkdir') }); return { ok: true }; },
    'file.delete': async (p) => { await editFiles(s.containers, str(obj(p).container, 'container'), { op: 'delete', path: str(p.path, 'path'), recursive: !!p.recursive, user: writeAs(p.user, 'file.delete') }); return { ok: true }; },
    'file.rename': async (p) => { await editFiles(s.containers, str(obj(p).container, 'container'), { op: 'rename', path: str(p.path, 'path'), to: str(p.to, 'to'), overwrite: !!p.overwrite, user: writeAs(p.user, 'file.rename') }); return { ok: true }; },
  };
}
