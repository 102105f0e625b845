import { postWhepOffer, postWhipOffer } from '../support/ingest';
import { createStream } from '../support/streams';
import { useTestApp } from '../support/test-app';

/** Offers cost CPU: a flood from one address is cut off with 429 before any media work. */
describe('WHIP/WHEP rate limits', () => {
  const t = useTestApp({ env: { MEDIASOUP_NUM_WORKERS: '1' } });

  it('answers a WHEP flood from one address with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 40; i++) {
      const res = await postWhepOffer(t, '00000000-0000-4000-8000-000000000000', 'v=0');
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'];
    }
    expect(statuses.slice(0, 25).every((s) => s === 404)).toBe(true);
    expect(statuses).toContain(429);
    expect(retryAfter).toMatch(/^\d+$/);
  });

  it('answers a WHIP flood with 429 even when every key is wrong', async () => {
    const s = await createStream(t, await t.user('streamer'), { title: 'x' });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await postWhipOffer(t, s, 'v=0', { key: `sk_live_guess${i}` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 15).every((x) => x === 401)).toBe(true);
    expect(statuses).toContain(429);
  });
});
