// What a latency bench starts and must take down again, whatever happens:
// its own nscope daemon (with the host image), the timer processes, and the
// runc/crun containers a failed or interrupted run may leave. cleanup() runs
// once and reports every problem instead of stopping at the first.
import * as fs from 'fs';
import * as path from 'path';
import type { HelperClient } from '../../helper/protocol/client';
import { removeCgroups } from './cgroups';
import { BenchDaemon, randomTag } from './daemon';
import { runCmd, type TimerClient } from './proc';

export interface OciContainer { bin: string; root: string; id: string; wrap?: (argv: string[]) => string[] }

export class BenchSession {
  readonly tag = randomTag();
  readonly daemon: BenchDaemon;
  readonly timers: TimerClient[] = [];
  readonly oci: OciContainer[] = [];
  private cleaned = false;

  constructor(stateDir: string) { this.daemon = new BenchDaemon(this.tag, stateDir); }

  /** Starts the daemon and builds the `host` image from `programs`; the client is ready to use. */
  async start(log: (s: string) => void, programs: string[]): Promise<HelperClient> {
    log(`daemon: state under ${this.daemon.dir}, cgroup parent ${this.daemon.cgroupParent}`);
    await this.daemon.start();
    const c = await this.daemon.client();
    log('building the host image');
    await c.request('image.host', { name: 'host', programs: [...new Set(programs)] });
    return c;
  }

  async cleanup(): Promise<string[]> {
    if (this.cleaned) return [];
    this.cleaned = true;
    const problems: string[] = [];
    const step = async (what: string, fn: () => Promise<unknown> | unknown) => {
      try { await fn(); } catch (e) { problems.push(`${what}: ${(e as Error).message}`); }
    };
    for (const t of this.timers) await step(`timer ${t.name}`, () => t.close());
    // runc/crun delete their containers at the end of `run`; a failed or interrupted run may leave one
    for (const oc of this.oci) {
      if (!fs.existsSync(path.join(oc.root, oc.id))) continue;
      const argv = [oc.bin, '--root', oc.root, 'delete', '--force', oc.id];
      await step(`${oc.bin} delete ${oc.id}`, async () => {
        const r = await runCmd(oc.wrap ? oc.wrap(argv) : argv);
        if (r.code !== 0) throw new Error(r.stderr.trim());
      });
    }
    await step('daemon', async () => { problems.push(...(await this.daemon.cleanup())); });
    await step('cgroups', () => { problems.push(...removeCgroups(`nscope-bench-${this.tag}`)); });
    return problems;
  }
}
