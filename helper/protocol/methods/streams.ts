// The stream handshake; what flows on the connection afterwards is said in
// ../types/streams.ts.
import type { CopyStat } from '../types/files';
import type { StreamOpenParams } from '../types/streams';

export interface StreamMethods {
  'stream.open': { params: StreamOpenParams; result: { ok: true; execId?: string; size?: number; stat?: CopyStat; attrs?: Record<string, string> } };
}
