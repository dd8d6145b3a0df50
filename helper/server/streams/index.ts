// The stream table: every kind of `stream.open` (helper/protocol/types/
// streams.ts) and the pump that serves it, one file each. Typed from the
// protocol, so a kind without a pump fails to compile.
import { invalid } from '../../errors';
import { openAttachStream } from './attach';
import { openCopyInStream, openCopyOutStream, openFileWriteStream } from './copy';
import { openExecStream } from './exec';
import { openExportStream } from './export';
import { openImportStream } from './import';
import { openLogStream } from './logs';
import { openStatsStream } from './stats';
import { openPullStream, openPushStream } from './transfer';
import type { OpenedStream, StreamKind, StreamOpener, StreamOpenParams, StreamServices } from './types';

export type { OpenedStream, StreamServices } from './types';

const OPENERS: { [K in StreamKind]: StreamOpener<K> } = {
  logs: openLogStream,
  attach: openAttachStream,
  exec: openExecStream,
  export: openExportStream,
  pull: openPullStream,
  push: openPushStream,
  stats: openStatsStream,
  'cp-out': openCopyOutStream,
  'cp-in': openCopyInStream,
  'file-write': openFileWriteStream,
  'image-import': openImportStream,
};

/** Validates the request, starts what it asks for, and returns the pump. */
export async function openStream(p: StreamOpenParams, s: StreamServices): Promise<OpenedStream> {
  if (!p || typeof p !== 'object') throw invalid('stream.open: params missing');
  const kind: unknown = (p as { kind?: unknown }).kind;
  // own keys only: a kind such as "constructor" must not reach Object.prototype
  if (typeof kind !== 'string' || !Object.hasOwn(OPENERS, kind)) throw invalid(`stream.open: unknown kind "${String(kind)}"`);
  return (OPENERS[p.kind] as StreamOpener<StreamKind>)(p as never, s);
}
