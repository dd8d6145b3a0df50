// JSON-RPC error codes for nscope's error kinds (helper/errors.ts). The kind
// travels in `data.kind` too, so clients need not know the numbers.
export const ERROR_CODES = {
  failed: -32000,
  not_found: -32001,
  conflict: -32003,
  forbidden: -32004,
  unsupported: -32005,
  unauthorized: -32006,
  invalid: -32602,
} as const;

export type ErrorKind = keyof typeof ERROR_CODES;
