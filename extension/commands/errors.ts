// Every command reports a failure as one readable line (no stack traces).
import * as vscode from 'vscode';
import { oneLine } from '../format';

export function guarded<A extends unknown[]>(what: string, fn: (...args: A) => Promise<unknown>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      void vscode.window.showErrorMessage(`nscope: ${what}: ${oneLine(e)}`);
    }
  };
}
