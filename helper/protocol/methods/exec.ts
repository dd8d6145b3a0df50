// Exec: methods on a running exec by its id, and the shells a container
// offers; the byte stream itself is a `stream.open` of kind `exec` (the data:
// ../types/exec.ts).
import type { ExecStatus, ShellInfo } from '../types/exec';

export interface ExecMethods {
  'exec.resize': { params: { execId: string; rows: number; cols: number }; result: { execId: string } };
  'exec.kill': { params: { execId: string; signal?: string | number }; result: { execId: string } };
  /** Resolves when the exec'd process has ended. */
  'exec.wait': { params: { execId: string }; result: ExecStatus };
  'exec.inspect': { params: { execId: string }; result: ExecStatus };
  'container.shells': { params: { id: string; user?: string }; result: ShellInfo };
}
