import { JournalWriter } from './JournalWriter.js';

/**
 * Test-only: makes `journal` lie about durability, as a deliberately broken engine for the tests
 * of `matchbench chaos` (hidden flag `matchbench engine --testkit-journal-lag-ms`). Its commit()
 * writes at most once per `lagMs`, so the engine publishes ACKs for commands whose records are
 * still in this process's memory, and a SIGKILL loses them. A clean close still writes everything,
 * so only a crash shows the lie.
 */
export function lagJournalCommits(journal: JournalWriter, lagMs: number): void {
  const commit = JournalWriter.prototype.commit.bind(journal);
  const close = JournalWriter.prototype.close.bind(journal);
  let lastMs = Date.now();
  journal.commit = (): void => {
    if (Date.now() - lastMs < lagMs) return;
    lastMs = Date.now();
    commit();
  };
  journal.close = (): void => {
    commit();
    close();
  };
}
