/**
 * For tests: polls `predicate` every 10 ms until it holds, and throws `timed out waiting for
 * <what>` once `timeoutMs` has passed without it.
 */
export async function until(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
