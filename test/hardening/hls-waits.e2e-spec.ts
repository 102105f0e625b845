import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { LlHlsPlaylist } from '../../media';
import { heldDuring } from '../support/held-requests';
import { useTestApp } from '../support/test-app';

/**
 * LL-HLS requests that wait: a part request for a stream that does not exist
 * was held ~2-3 s (400 at once slowed a trivial endpoint to 863 ms). Unknown
 * streams, runs and parts are 404 at once; only a part the live playlist is
 * about to list is held, and one client holds at most
 * HLS_MAX_BLOCKING_PER_CLIENT such requests.
 *
 * "Held" is checked by the blocking reads' own calls (heldDuring), not by the clock.
 */
describe('LL-HLS blocking requests', () => {
  const t = useTestApp({ redis: false, env: { HLS_MAX_BLOCKING_PER_CLIENT: '4' } });
  const streamId = '11111111-1111-4111-8111-111111111111';
  const unknown = '22222222-2222-4222-8222-222222222222';

  beforeAll(async () => {
    const pl = LlHlsPlaylist.create({ partTarget: 1 / 3, partsPerSegment: 6 });
    pl.startRun('r1/init.mp4');
    for (let n = 0; n < 3; n++) {
      pl.addPart({ uri: `r1/p${n}.m4s`, duration: 1 / 3, pdt: Date.now() + n * 333 }, `r1/p${n + 1}.m4s`);
    }
    const dir = path.join(t.config.hls.dir, streamId, '720p');
    fs.mkdirSync(path.join(dir, 'r1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.m3u8'), pl.render());
    for (let n = 0; n < 3; n++) fs.writeFileSync(path.join(dir, 'r1', `p${n}.m4s`), `part ${n}`);
  });

  const get = async (url: string, xff?: string) => {
    let req = request(t.baseUrl)
      .get(url)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => done(null, text));
      });
    if (xff) req = req.set('X-Forwarded-For', xff);
    const res = await req;
    return { status: res.status, body: res.body as string };
  };

  it('answers parts of unknown streams, runs and far-off parts 404 without holding them', async () => {
    for (const url of [
      `/hls/${unknown}/720p/r1/p3.m4s`,
      `/hls/${streamId}/480p/r1/p3.m4s`,
      `/hls/${streamId}/720p/r2/p3.m4s`,
      `/hls/${streamId}/720p/r1/p90.m4s`,
    ]) {
      const { held, result } = await heldDuring(t.app, () => get(url));
      expect({ url, status: result.status, held }).toEqual({ url, status: 404, held: [] });
    }
  });

  it('holds none of 400 concurrent part requests for streams that do not exist', async () => {
    const { held, result } = await heldDuring(t.app, async () => {
      const flood = Array.from({ length: 400 }, (_, i) =>
        get(`/hls/${`${i}`.padStart(8, '0')}-0000-4000-8000-000000000000/720p/r1/p3.m4s`),
      );
      await new Promise((r) => setTimeout(r, 20));
      const trivial = await get('/api/payments/providers');
      return { answers: await Promise.all(flood), trivial };
    });
    // Each was held for six parts' time (2 s) before, and held requests slowed every other one.
    expect(held).toEqual([]);
    expect(result.answers.filter((a) => a.status !== 404)).toEqual([]);
    expect(result.trivial.status).toBe(200);
  });

  it('holds the preload-hinted part until it appears', async () => {
    const { held, result: r } = await heldDuring(t.app, async () => {
      const pending = get(`/hls/${streamId}/720p/r1/p3.m4s`);
      await new Promise((r) => setTimeout(r, 300));
      fs.writeFileSync(path.join(t.config.hls.dir, streamId, '720p', 'r1', 'p3.m4s'), 'part 3');
      return pending;
    });
    expect(held).toEqual([`${streamId}/720p/r1/p3.m4s`]);
    expect(r.status).toBe(200);
    expect(r.body).toBe('part 3');
  });

  it('lets one client hold at most HLS_MAX_BLOCKING_PER_CLIENT requests; others are not affected', async () => {
    const urls = Array.from({ length: 6 }, () => `/hls/${streamId}/720p/r1/p4.m4s`);
    const mine = urls.map((u) => get(u, '203.0.113.1'));
    await new Promise((r) => setTimeout(r, 100));
    const other = get(`/hls/${streamId}/720p/r1/p4.m4s`, '203.0.113.2');
    await new Promise((r) => setTimeout(r, 100));
    fs.writeFileSync(path.join(t.config.hls.dir, streamId, '720p', 'r1', 'p4.m4s'), 'part 4');
    const statuses = (await Promise.all(mine)).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expect((await other).status).toBe(200);
  });
});
