// Ctrl-C during a bench: stop after the run in flight, then clean up as usual
// (the daemon and timer loops run in their own process groups, so the signal
// reaches only us); a second signal exits at once.
export interface Interrupt { check(): void; readonly interrupted: boolean }

export function stopOnSignal(log: (s: string) => void): Interrupt {
  let interrupted = false;
  const onSignal = (sig: string) => {
    if (interrupted) { log('second signal: exiting without clean-up'); process.exit(130); }
    interrupted = true;
    log(`${sig}: stopping after the current run, then cleaning up`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    check: () => { if (interrupted) throw new Error('interrupted'); },
    get interrupted() { return interrupted; },
  };
}
