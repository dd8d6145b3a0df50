// Networks (stub: the contract is helper/protocol/methods/network.ts).
import { NscopeError } from '../../errors';
import type { NetworkMethods } from '../../protocol';
import type { AreaHandlers, HelperServices } from './types';

const notYet = (m: string) => () => { throw new NscopeError('unsupported', `${m}: not implemented yet`); };

export function networkHandlers(_s: HelperServices): AreaHandlers<keyof NetworkMethods> {
  return {
    'network.create': notYet('network.create'),
    'network.list': notYet('network.list'),
    'network.inspect': notYet('network.inspect'),
    'network.remove': notYet('network.remove'),
    'network.connect': notYet('network.connect'),
    'network.disconnect': notYet('network.disconnect'),
    'container.port': notYet('container.port'),
  };
}
