// Volumes: the methods of helper/protocol/methods/volumes.ts (VolumeMethods),
// over the container manager's VolumeStore (helper/volumes/store.ts).
import { invalid } from '../../errors';
import { labelsPass } from '../../lib/label-filter';
import type { VolumeMethods } from '../../protocol';
import { checkVolumeName } from '../../volumes/names';
import { obj, type AreaHandlers, type HelperServices } from './types';

const flag = (v: unknown, what: string): boolean => {
  if (v !== undefined && typeof v !== 'boolean') throw invalid(`${what} must be a boolean`);
  return !!v;
};

/** prune's label filters: lists of "KEY" or "KEY=VALUE" */
function labelList(v: unknown, what: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > 64 || v.some((x) => typeof x !== 'string' || !x || x.length > 1024)) throw invalid(`${what}: must be a list of at most 64 KEY or KEY=VALUE strings`);
  return v as string[];
}

export function volumeHandlers(s: HelperServices): AreaHandlers<keyof VolumeMethods> {
  const v = () => s.containers.volumes;
  return {
    'volume.create': (p) => {
      const { name, labels, driver, options } = obj(p);
      // Docker's default driver; a plugin's name is refused by name
      if (driver !== undefined && driver !== '' && driver !== 'local') {
        throw invalid(`volume create: driver "${String(driver).slice(0, 64)}": nscope has only the local driver (no volume plugins)`);
      }
      return v().create(name === undefined || name === '' ? undefined : checkVolumeName(name, 'volume create'), labels, false, options).volume;
    },
    'volume.list': (p) => v().list(flag(obj(p).size, 'size')),
    'volume.inspect': (p) => v().inspect(checkVolumeName(obj(p).name, 'volume inspect')),
    'volume.remove': (p) => {
      const { name, force } = obj(p);
      v().remove(checkVolumeName(name, 'volume rm'), flag(force, 'force'));
      return { name };
    },
    'volume.prune': (p) => {
      const { all, filters } = obj(p);
      const f = filters === undefined ? {} : obj(filters);
      for (const k of Object.keys(f)) if (k !== 'label' && k !== 'label!') throw invalid(`volume prune: invalid filter "${k.slice(0, 40)}" (label, label!)`);
      const want = labelList(f.label, 'volume prune: filters.label');
      const wantNot = labelList(f['label!'], 'volume prune: filters.label!');
      return v().prune(flag(all, 'all'), (vol) => !labelsPass(vol.labels, want, wantNot));
    },
  };
}
