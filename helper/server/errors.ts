// NscopeError -> JSON-RPC error (code + data.kind); anything else is a
// plain failure with its one-line message and no stack trace. A message
// that quotes what the client sent (an id, a path) is bounded: a 300 KB
// "No such container: AAA…" is the client's bytes sent back, not a reason.
import { JSONRPCErrorException } from 'json-rpc-2.0';
import { NscopeError } from '../errors';
import { ERROR_CODES } from '../protocol';

/** the longest message sent: room for a build's or a hook's own words, not for an echoed upload */
const MAX_MESSAGE = 16 * 1024;

export function boundedMessage(msg: string): string {
  return msg.length <= MAX_MESSAGE ? msg : `${msg.slice(0, MAX_MESSAGE)}… (${msg.length - MAX_MESSAGE} more characters)`;
}

export function toRpcError(err: unknown): JSONRPCErrorException {
  if (err instanceof JSONRPCErrorException) return err;
  if (err instanceof NscopeError) return new JSONRPCErrorException(boundedMessage(err.message), ERROR_CODES[err.code], { kind: err.code });
  const msg = err instanceof Error ? err.message : String(err);
  return new JSONRPCErrorException(boundedMessage(msg), ERROR_CODES.failed, { kind: 'failed' });
}
