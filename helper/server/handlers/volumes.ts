// Volumes: the methods of helper/protocol/methods/network.ts (VolumeMethods),
// over the container manager's VolumeStore (helper/volumes/store.ts).
import { invalid } from '../../errors';
import type { VolumeMethods } from '../../protocol';
import { checkVolumeName } from '../../volumes/names';
import { obj, type AreaHandlers, type HelperServices } from './types';

const flag = (v: unknown, what: string): boolean => {
  if (v !== undefined && typeof v !== 'boolean') throw invalid(`${what} must be a boolean`);
  return !!v;
};

export function volumeHandlers(s: HelperServices): AreaHandlers<keyof VolumeMethods> {
  const v = () => s.containers.volumes;
  return {
    'volume.create': (p) => {
      const { name, labels } = obj(p);
      return v().create(name === undefined || name === '' ? undefined : checkVolumeName(name, 'volume create'), labels).volume;
    },
    'volume.list': (p) => v().list(flag(obj(p).size, 'size')),
    'volume.inspect': (p) => v().inspect(checkVolumeName(obj(p).name, 'volume inspect')),
    'volume.remove': (p) => {
      const { name, force } = obj(p);
      v().remove(checkVolumeName(name, 'volume rm'), flag(force, 'force'));
      return { name };
    },
    'volume.prune': (p) => v().prune(flag(obj(p).all, 'all')),
  };
}
