// A pull or push stream, cut into its TransferLines
// (helper/protocol/types/registry.ts). Socket chunks end anywhere: in the
// middle of a line or of a UTF-8 character. No vscode here (unit-tested).
import { StringDecoder } from 'node:string_decoder';
import type { TransferLine } from '../helper/protocol/types';

const KINDS = new Set(['status', 'progress', 'done', 'error']);

export interface TransferLineReader {
  write(chunk: Buffer | string): void;
  /** the stream has ended: a last line without its newline still counts */
  end(): void;
}

/**
 * Calls `onLine` for each complete line. Blank lines, lines that are not
 * JSON and kinds this client does not know are skipped: a newer helper may
 * say more, and a progress line is never worth failing a transfer for.
 */
export function transferLineReader(onLine: (line: TransferLine) => void): TransferLineReader {
  const dec = new StringDecoder('utf8');
  let rest = '';
  const emit = (text: string) => {
    if (!text.trim()) return;
    let line: unknown;
    try { line = JSON.parse(text); } catch { return; }
    if (line && typeof line === 'object' && KINDS.has((line as { kind?: string }).kind ?? '')) onLine(line as TransferLine);
  };
  return {
    write(chunk) {
      const lines = (rest + (typeof chunk === 'string' ? chunk : dec.write(chunk))).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) emit(l);
    },
    end() {
      const last = rest + dec.end();
      rest = '';
      emit(last);
    },
  };
}
