// A helper that does not have an area yet (networks and volumes arrive in
// later helpers) answers its methods with the error kind `unsupported`. The
// views take that as "nothing to show" and say so quietly, never as an error.
import { HelperError } from '../helper/protocol/client';

export function isUnsupported(e: unknown): boolean {
  return e instanceof HelperError && e.kind === 'unsupported';
}
