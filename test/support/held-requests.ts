import type { INestApplication } from '@nestjs/common';
import { BlockingReads } from '../../src/hls/blocking-reads';

/**
 * Runs `run` and returns the storage keys of the LL-HLS requests the app held
 * meanwhile (handed to its BlockingReads to wait for a file). Whether a
 * request was held is what a test of "answered at once" means; the time it
 * took depends on the machine's load.
 */
export async function heldDuring<T>(
  app: INestApplication,
  run: () => Promise<T>,
): Promise<{ held: string[]; result: T }> {
  const wait = jest.spyOn(app.get(BlockingReads), 'wait');
  try {
    const result = await run();
    return { held: wait.mock.calls.map((c) => c[1]), result };
  } finally {
    wait.mockRestore();
  }
}
