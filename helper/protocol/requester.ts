// A helper connection as the shared client-side routines (pruning, image
// usage) need it: the CLI's HelperClient and the extension's Connection both
// are one, so the same routine serves both front ends.
import type { MethodName, Params, Result } from './methods';

export interface Requester { request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> }
