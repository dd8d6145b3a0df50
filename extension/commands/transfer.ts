// A pull or push with a progress notification: the stream's lines become
// the notification's message ("3/5 layers · 12.3 MiB / 45.6 MiB") and bar;
// Cancel closes the connection, which is how the protocol cancels (the
// helper stops and keeps no partial layer). Shared by Pull Image… and Push….
import * as vscode from 'vscode';
import { openStream } from '../../helper/protocol/client';
import type { StreamOpenParams, TransferLine } from '../../helper/protocol/types';
import type { Connection } from '../connection';
import { transferLineReader } from '../transfer-lines';
import { TransferTally } from '../transfer-tally';

export type TransferDone = Extract<TransferLine, { kind: 'done' }>;

export interface Transfer {
  /** the notification's title: "nscope: pulling alpine:3.19" */
  title: string;
  params: Extract<StreamOpenParams, { kind: 'pull' | 'push' }>;
  /** the registry it talks to, named in the hint when it refuses the credentials */
  registry: string;
}

/** progress lines can come by the hundred a second; the notification needs a few */
const REPORT_EVERY_MS = 100;

/** The `done` line, or undefined when the user cancelled. Throws the helper's `error` line as a one-line Error. */
export function runTransfer(conn: Connection, t: Transfer): Thenable<TransferDone | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: t.title, cancellable: true }, async (progress, token) => {
    const sock = await openStream(conn.socketPath, t.params);
    return new Promise<TransferDone | undefined>((resolve, reject) => {
      const tally = new TransferTally();
      let percent = 0;
      let last = 0;
      let timer: NodeJS.Timeout | undefined;
      let end: TransferLine | undefined;
      const report = () => {
        timer = undefined;
        last = Date.now();
        // the bar only moves forward, though the total grows as layers' sizes become known
        const now = Math.min(100, Math.floor(tally.fraction * 100));
        progress.report({ message: tally.summary, ...(now > percent ? { increment: now - percent } : {}) });
        percent = Math.max(percent, now);
      };
      const reader = transferLineReader((line) => {
        // the last line: nothing follows it, so the notification need not wait for the helper's close
        if (line.kind === 'done' || line.kind === 'error') { end ??= line; sock.destroy(); return; }
        tally.apply(line);
        if (!timer) timer = setTimeout(report, Math.max(0, last + REPORT_EVERY_MS - Date.now()));
      });
      const cancel = token.onCancellationRequested(() => sock.destroy());
      sock.on('data', (d: Buffer) => reader.write(d));
      sock.on('error', () => undefined);
      // the socket is half-open: when the helper has ended the stream, end our side so it closes
      sock.on('end', () => sock.end());
      sock.on('close', () => {
        reader.end();
        cancel.dispose();
        if (timer) clearTimeout(timer);
        if (end?.kind === 'done') resolve(end);
        else if (end?.kind === 'error') reject(new Error(end.message + loginHint(end.code, t.registry)));
        else if (token.isCancellationRequested) resolve(undefined);
        else reject(new Error('the helper closed the transfer before it finished'));
      });
      // cancelled while the stream was opening
      if (token.isCancellationRequested) sock.destroy();
      else sock.resume();
    });
  });
}

function loginHint(code: string, registry: string): string {
  return code === 'unauthorized' ? ` (to sign in: nscope login ${registry})` : '';
}
