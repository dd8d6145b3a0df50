import * as fs from 'fs';
import type { ImageMethods } from '../../protocol';
import { invalid } from '../../errors';
import { login } from '../../registry/login';
import { configImage } from '../../rootfs/config-image';
import { isBuildCache } from '../../build/cache-name';
import { openForPeer } from '../access';
import { platformParam, platformsParam } from '../../registry/manifest';
import { obj, type AreaHandlers, type HelperServices } from './types';

export function imageHandlers(s: HelperServices): AreaHandlers<keyof ImageMethods> {
  const c = s.containers;
  return {
    'image.list': (p) => (obj(p).all === true ? s.images.list() : s.images.listVisible(isBuildCache)),
    'image.inspect': (p) => s.images.inspect(obj(p).ref, platformParam(p.platform, 'image.inspect')),
    'image.import': async (p, ctx) => {
      const platform = platformParam(obj(p).platform, 'image.import');
      const fd = openForPeer(p.file, ctx.peer);
      try {
        const added = await s.images.importArchive(`/proc/self/fd/${fd}`, { name: p.name, platform });
        for (const img of added) s.emitImage('image.added', img.id, img.name);
        return added;
      } finally {
        fs.closeSync(fd);
      }
    },
    'image.host': async (p) => {
      const img = await s.images.buildFromHost(obj(p).name, p.programs);
      s.emitImage('image.added', img.id, img.name);
      return img;
    },
    'image.remove': (p) => {
      const platforms = platformsParam(obj(p).platforms, 'image.remove');
      const img = s.images.inspect(p.ref);
      const done = s.images.remove(p.ref, { force: p.force === true, platforms, inUse: (id: string) => c.imageInUse(id) });
      s.emitImage('image.removed', img.id, img.name);
      // a build's cache names are not shown by `images`: nor are they in rmi's "Untagged:" lines
      return { ref: p.ref, untagged: done.untagged.filter((n) => !isBuildCache(n)), deleted: done.deleted };
    },
    'image.tag': (p) => {
      if (typeof obj(p).name !== 'string') throw invalid('image.tag: name must be a string');
      const img = s.images.tagImage(p.ref, p.name);
      s.emitImage('image.added', img.id, img.name);
      return img;
    },
    'image.create': async (p) => {
      const img = await configImage(s.images, obj(p));
      s.emitImage('image.added', img.id, img.name);
      return img;
    },
    'registry.login': (p) => login(s.registry, obj(p).server, p.auth),
  };
}
