/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` every 50 ms until it holds; fails after `timeoutMs`, naming `what`.
 * For asynchronous effects, not speed: a test that asserts a deadline passes its own.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await sleep(50);
  }
}
