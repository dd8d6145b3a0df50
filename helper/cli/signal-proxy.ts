// Docker's --sig-proxy (default true) for a client attached to a container's
// output without a console (run, start -a, attach): the signals this process
// gets are passed on to the container's init. Given as false, a signal ends
// nscope and the container runs on.
import type { HelperClient } from '../protocol/client';
import type { Parsed } from './args';
import type { Flag } from './command';

/** What is passed on (Docker's ForwardAllSignals, less those the terminal or the runtime needs). */
const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export const SIG_PROXY: Flag = { name: 'sig-proxy', help: 'Proxy received signals to the process (default true; =false: a signal ends nscope, the container runs on)' };

export const sigProxy = (p: Parsed): boolean => p.flags['sig-proxy'] !== false;

/** Passes PROXIED signals to container `id` until the returned function is called. */
export function proxySignals(c: HelperClient, id: string): () => void {
  const forward = (sig: NodeJS.Signals) => { void c.request('container.kill', { id, signal: sig }).catch(() => undefined); };
  for (const sig of PROXIED) process.on(sig, forward);
  return () => { for (const sig of PROXIED) process.off(sig, forward); };
}
