// Running a container to completion through the protocol and collecting its output.
import type { HelperClient } from '../../helper/protocol/client';
import type { RunOptions } from '../../helper/protocol';

export async function runToExit(c: HelperClient, opts: RunOptions): Promise<{ id: string; exitCode: number; oomKilled: boolean; stdout: string; stderr: string }> {
  const { id } = await c.request('container.create', opts);
  const waited = c.request('container.wait', { id });
  await c.request('container.start', { id });
  const exit = await waited;
  const logs = opts.rm ? [] : await c.request('container.logs', { id });
  return {
    id, exitCode: exit.exitCode, oomKilled: exit.oomKilled,
    stdout: logs.filter((l) => l.stream === 'stdout').map((l) => l.log).join(''),
    stderr: logs.filter((l) => l.stream === 'stderr').map((l) => l.log).join(''),
  };
}

export async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs = 10000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
