import { startEncoder, startIngestApp, type Encoder, type IngestApp } from '../support/encoders';

/** INGEST_BFRAMES=refuse: an encoder with B-frames is turned away with the fix, instead of re-encoded. */
describe('RTMP ingest refusing B-frames', () => {
  let f: IngestApp;
  const encoders: Encoder[] = [];

  beforeAll(async () => {
    f = await startIngestApp({ redis: false, env: { INGEST_BFRAMES: 'refuse', SRT_ENABLED: 'false' } });
  });
  afterEach(() => {
    for (const e of encoders.splice(0)) e.kill();
  });
  afterAll(() => f?.close());

  it('tells the encoder and the owner to set Max B-frames to 0; without B-frames the same stream goes live', async () => {
    const s = await f.newStream();
    const withB = startEncoder({ url: `${s.rtmpUrl}/${s.streamKey}`, bframes: 2, seconds: 8 });
    encoders.push(withB);
    expect(await withB.exited).not.toBe(0);
    expect(withB.stderr.join('\n')).toMatch(/B-frames.*Set Max B-frames to 0/);
    const v = await f.waitView(s.id, (x) => x.ingest?.lastError != null, 5000, 'the refusal');
    expect(v.status).toBe('created');
    expect(v.ingest?.lastError).toMatchObject({ code: 'b_frames' });

    encoders.push(startEncoder({ url: `${s.rtmpUrl}/${s.streamKey}`, bframes: 0 }));
    const live = await f.waitLive(s.id, 'live without B-frames');
    expect(live).toMatchObject({ status: 'live', ingest: { bFrames: false, webrtcVideo: 'passthrough' } });
  });
});
