// A build's container on an image, created and not started: a RUN step's
// (its command given), or one whose files a COPY --from or RUN --mount=from
// reads or a COPY writes. Those look their command up only at start, so an
// image without one (or without a shell) still takes them.
import type { HelperClient } from '../protocol/client';
import type { RunOptions } from '../protocol/types';

export async function holder(c: Pick<HelperClient, 'request'>, o: RunOptions): Promise<string> {
  if (o.cmd) return (await c.request('container.create', o)).id;
  const held = { ...o, lookupAtStart: true };
  try { return (await c.request('container.create', held)).id; } catch (first) {
    try { return (await c.request('container.create', { ...held, cmd: ['/bin/sh'], entrypoint: [] })).id; } catch { throw first; }
  }
}
