import { encoderPool } from '../support/encoder-pool';
import { passthroughIngest, startIngestApp, type IngestApp } from '../support/encoders';

/** SRT ingest with Debian's ffmpeg (libsrt) as the caller: the stream key as the streamid. */
describe('SRT ingest', () => {
  let f: IngestApp;
  const encode = encoderPool();

  beforeAll(async () => {
    f = await startIngestApp({ redis: false });
  });
  afterAll(() => f.close());

  it('takes srt://HOST:PORT?streamid=<key>: the stream goes live, H.264 passes through, AAC arrives', async () => {
    const s = await f.newStream();
    encode({ url: `${s.srtUrl}?streamid=${s.streamKey}` });
    const v = await f.waitLive(s.id);
    expect(v.ingest).toMatchObject(passthroughIngest('srt'));
    await f.mediaArrives(s.id, { audio: true });
    await f.t.http.get('/health').expect(200);
  });

  it('takes the access-control form #!::r=<key>,m=publish too', async () => {
    const s = await f.newStream();
    encode({ url: `${s.srtUrl}?streamid=${encodeURIComponent(`#!::r=live/${s.streamKey},m=publish`)}` });
    await f.waitLive(s.id);
  });

  it('rejects a wrong key in the SRT handshake, before any media', async () => {
    const s = await f.newStream();
    const e = encode({ url: `${s.srtUrl}?streamid=sk_live_not-the-key`, seconds: 5 });
    expect(await e.exited).not.toBe(0);
    expect(e.stderr.join('\n')).toMatch(/srt|Connection/i);
    expect((await f.ownerView(s.id)).status).toBe('created');
  });

  it('refuses a second SRT publisher of a live stream', async () => {
    const s = await f.newStream();
    encode({ url: `${s.srtUrl}?streamid=${s.streamKey}` });
    await f.waitLive(s.id);
    const second = encode({ url: `${s.srtUrl}?streamid=${s.streamKey}`, seconds: 5 });
    expect(await second.exited).not.toBe(0);
    expect((await f.ownerView(s.id)).ingest?.state).toBe('live');
  });

  it('refuses HEVC with a clear error for the owner, and the stream does not go live', async () => {
    const s = await f.newStream();
    encode({ url: `${s.srtUrl}?streamid=${s.streamKey}`, hevc: true, width: 320, height: 240, seconds: 6 });
    const v = await f.waitView(s.id, (x) => x.ingest?.lastError != null, 15_000, 'the refusal');
    expect(v.status).toBe('created');
    expect(v.ingest?.lastError).toMatchObject({
      code: 'unsupported_codec',
      message: expect.stringMatching(/HEVC.*H\.264/),
    });
  });

  it('continues the same stream when a killed caller comes back (taking over its silent connection)', async () => {
    const s = await f.newStream();
    const first = encode({ url: `${s.srtUrl}?streamid=${s.streamKey}` });
    await f.waitLive(s.id);
    first.kill('SIGKILL');
    // SRT would notice the dead caller only at its idle timeout (5 s); a caller retrying after
    // OBS's retry delay (2 s) with the key takes the silent connection over.
    await new Promise((r) => setTimeout(r, 2500));
    encode({ url: `${s.srtUrl}?streamid=${s.streamKey}` });
    const back = await f.waitView(
      s.id,
      (x) => x.ingest?.state === 'live' && x.ingest.reconnects === 1,
      15_000,
      'live again',
    );
    expect(back.status).toBe('live');
  });
});
