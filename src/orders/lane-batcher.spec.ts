import { LaneBatcher, laneHash } from './lane-batcher';

describe('LaneBatcher', () => {
  it('runs an item at once when idle and batches those that arrive meanwhile', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new LaneBatcher<number, number>({
      lanes: 1,
      maxBatch: 10,
      laneOf: () => 0,
      run: async (batch) => {
        batches.push(batch);
        if (batches.length === 1) await gate;
        return batch.map((x) => x * 2);
      },
    });
    const first = b.submit(1);
    const rest = [2, 3, 4].map((x) => b.submit(x));
    release();
    expect(await first).toBe(2);
    expect(await Promise.all(rest)).toEqual([4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('tells run its lane, and onIdle when a lane has run all it was given', async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new LaneBatcher<number, number>({
      lanes: 2,
      maxBatch: 10,
      laneOf: (x) => x % 2,
      run: async (batch, lane) => {
        log.push(`run ${lane}: ${batch.join(',')}`);
        if (batch[0] === 2) await gate;
        return batch;
      },
      onIdle: (lane) => log.push(`idle ${lane}`),
    });
    const first = b.submit(2);
    const queued = [b.submit(4), b.submit(6)];
    await b.submit(1);
    release();
    await Promise.all([first, ...queued]);
    // Lane 0 is not idle between its two batches, only after the second.
    expect(log).toEqual(['run 0: 2', 'run 1: 1', 'idle 1', 'run 0: 4,6', 'idle 0']);
  });

  it('keeps up to inflightPerLane batches of a lane running at once', async () => {
    let running = 0;
    let most = 0;
    const batches: number[][] = [];
    const b = new LaneBatcher<number, number>({
      lanes: 1,
      maxBatch: 10,
      inflightPerLane: 2,
      laneOf: () => 0,
      run: async (batch) => {
        batches.push(batch);
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        return batch;
      },
    });
    await Promise.all([1, 2, 3, 4, 5].map((x) => b.submit(x)));
    expect(most).toBe(2);
    expect(batches).toEqual([[1], [2], [3, 4, 5]]);
  });

  it('caps batches at maxBatch', async () => {
    const sizes: number[] = [];
    const b = new LaneBatcher<number, number>({
      lanes: 1,
      maxBatch: 2,
      laneOf: () => 0,
      run: async (batch) => {
        sizes.push(batch.length);
        return batch;
      },
    });
    await Promise.all([1, 2, 3, 4, 5].map((x) => b.submit(x)));
    expect(sizes).toEqual([1, 2, 2]);
  });

  it('runs lanes independently and fails only the batch that threw', async () => {
    const b = new LaneBatcher<string, string>({
      lanes: 2,
      maxBatch: 10,
      laneOf: (s) => (s.startsWith('bad') ? 1 : 0),
      run: async (batch) => {
        if (batch[0].startsWith('bad')) throw new Error('boom');
        return batch.map((s) => s.toUpperCase());
      },
    });
    const [ok, bad] = await Promise.allSettled([b.submit('good'), b.submit('bad')]);
    expect(ok).toEqual({ status: 'fulfilled', value: 'GOOD' });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('boom') });
    expect(await b.submit('again')).toBe('AGAIN');
  });

  it('refuses new items after close and waits for running ones', async () => {
    let done = false;
    const b = new LaneBatcher<number, number>({
      lanes: 1,
      maxBatch: 10,
      laneOf: () => 0,
      run: async (batch) => {
        await new Promise((r) => setTimeout(r, 20));
        done = true;
        return batch;
      },
    });
    const p = b.submit(1);
    await b.close();
    expect(done).toBe(true);
    await expect(p).resolves.toBe(1);
    await expect(b.submit(2)).rejects.toThrow('closed');
  });

  it('hashes a string to a stable lane', () => {
    expect(laneHash('abc')).toBe(laneHash('abc'));
    expect(laneHash('abc')).not.toBe(laneHash('abd'));
  });
});
