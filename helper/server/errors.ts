// NscopeError -> JSON-RPC error (code + data.kind); anything else is a
// plain failure with its one-line message and no stack trace.
import { JSONRPCErrorException } from 'json-rpc-2.0';
import { NscopeError } from '../errors';
import { ERROR_CODES } from '../protocol';

export function toRpcError(err: unknown): JSONRPCErrorException {
  if (err instanceof JSONRPCErrorException) return err;
  if (err instanceof NscopeError) return new JSONRPCErrorException(err.message, ERROR_CODES[err.code], { kind: err.code });
  const msg = err instanceof Error ? err.message : String(err);
  return new JSONRPCErrorException(msg, ERROR_CODES.failed, { kind: 'failed' });
}
