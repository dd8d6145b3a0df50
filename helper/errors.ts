// One error type for everything below the server: a stable machine-readable
// code plus a one-line message meant for the user. The server maps the code
// to a JSON-RPC error; the CLI prints the message as is.
export type ErrorCode =
  | 'not_found'      // no such container / image / layer / file
  | 'invalid'        // bad input from the caller: names the argument and what is wrong with it
  | 'conflict'       // the object is in the wrong state (running, in use, name taken)
  | 'forbidden'      // the caller is not allowed
  | 'unauthorized'   // a registry refused the credentials (or wants some)
  | 'unsupported'    // the host cannot do it
  | 'failed';        // the operation was attempted and the system refused

export class NscopeError extends Error {
  constructor(public readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'NscopeError';
  }
}

export const notFound = (msg: string) => new NscopeError('not_found', msg);
export const invalid = (msg: string) => new NscopeError('invalid', msg);
export const conflict = (msg: string) => new NscopeError('conflict', msg);

/** "what: why" for any thrown value, without a stack. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
