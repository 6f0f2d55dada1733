/**
 * Waits for SIGINT or SIGTERM, whichever comes first, then runs `stop` with its name and resolves
 * once `stop` has finished: how a long-running command (`engine`, `peer`) ends cleanly. The other
 * signal's listener is removed, so a second Ctrl-C during the stop gets Node's default (exit).
 * `signals` is the process (a test passes an EventEmitter).
 */
export function untilStopSignal(stop: (signal: 'SIGINT' | 'SIGTERM') => Promise<void>,
  signals: Pick<NodeJS.EventEmitter, 'once' | 'off'> = process): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const on = (signal: 'SIGINT' | 'SIGTERM'): void => {
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
      stop(signal).then(resolve, reject);
    };
    const onInt = (): void => on('SIGINT');
    const onTerm = (): void => on('SIGTERM');
    signals.once('SIGINT', onInt);
    signals.once('SIGTERM', onTerm);
  });
}
