/**
 * For a describe block: what `start` makes, started before its tests (before the block's later
 * beforeAll hooks) and closed after them. Fixtures close in the order they are declared, so
 * declare first what must go first (a browser before the app its pages talk to). What this
 * returns stands in for the started thing: read it inside tests and hooks only.
 */
export function useFixture<T extends object>(
  name: string,
  start: () => Promise<T>,
  close: (started: T) => Promise<unknown>,
): T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(() => started && close(started));
  return new Proxy({} as T, {
    get(_, key) {
      if (!started) throw new Error(`${name}: it starts in beforeAll`);
      const value: unknown = Reflect.get(started, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(started) : value;
    },
  });
}
