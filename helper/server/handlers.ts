// The method table: every area's handlers, merged. Typed from helper/protocol,
// so a missing or mistyped method fails to compile.
import { containerHandlers } from './handlers/containers';
import { execHandlers } from './handlers/exec';
import { imageHandlers } from './handlers/images';
import { systemHandlers } from './handlers/system';
import { layerHandlers } from './handlers/layers';
import { diffHandlers } from './handlers/diff';
import { kernelHandlers } from './handlers/kernel';
import { networkHandlers } from './handlers/network';
import { volumeHandlers } from './handlers/volumes';
import type { Handlers, HelperServices } from './handlers/types';

export type { Handlers, HelperServices } from './handlers/types';

export function makeHandlers(s: HelperServices): Handlers {
  return {
    ...systemHandlers(s),
    ...containerHandlers(s),
    ...imageHandlers(s),
    ...execHandlers(s),
    ...layerHandlers(s),
    ...diffHandlers(s),
    ...kernelHandlers(s),
    ...networkHandlers(s),
    ...volumeHandlers(s),
  };
}
