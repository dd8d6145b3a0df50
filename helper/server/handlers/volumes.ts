// Volumes (stub: the contract is helper/protocol/methods/network.ts, VolumeMethods).
import { NscopeError } from '../../errors';
import type { VolumeMethods } from '../../protocol';
import type { AreaHandlers, HelperServices } from './types';

const notYet = (m: string) => () => { throw new NscopeError('unsupported', `${m}: not implemented yet`); };

export function volumeHandlers(_s: HelperServices): AreaHandlers<keyof VolumeMethods> {
  return {
    'volume.create': notYet('volume.create'),
    'volume.list': notYet('volume.list'),
    'volume.inspect': notYet('volume.inspect'),
    'volume.remove': notYet('volume.remove'),
    'volume.prune': notYet('volume.prune'),
  };
}
