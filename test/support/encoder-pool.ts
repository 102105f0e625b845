import { startEncoder, type Encoder, type EncoderOptions } from './encoders';

/** `startEncoder` for one test file: what a test starts is killed after it (`afterEach`). */
export interface EncoderPool {
  (o: EncoderOptions): Encoder;
  /** Kills every encoder started and not yet killed. */
  killAll(signal?: NodeJS.Signals): void;
}

/** Call in a `describe` body: registers the `afterEach` that kills each test's encoders. */
export function encoderPool(): EncoderPool {
  const running: Encoder[] = [];
  const pool = ((o: EncoderOptions) => {
    const e = startEncoder(o);
    running.push(e);
    return e;
  }) as EncoderPool;
  pool.killAll = (signal) => {
    for (const e of running.splice(0)) e.kill(signal);
  };
  afterEach(() => pool.killAll());
  return pool;
}
