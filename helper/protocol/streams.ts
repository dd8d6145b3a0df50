// Byte streams (logs now; exec/attach later) travel on their own connection
// to the same socket, so large output is never JSON-encoded:
//   1. the client connects and sends ONE JSON-RPC request `stream.open`
//      (newline-terminated), with the usual peer-credential check;
//   2. the server answers with ONE JSON-RPC response line;
//   3. on success the connection carries raw bytes from then on, and the
//      server closes it when the stream ends.
// For `logs`, the bytes are the container's json-file log lines
// ({"log","stream","time"} per line), from the start (or the last `tail`
// lines), and with `follow` until the container has exited.
export interface StreamOpenParams { kind: 'logs'; id: string; follow?: boolean; tail?: number }

export interface StreamMethods {
  'stream.open': { params: StreamOpenParams; result: { ok: true } };
}
