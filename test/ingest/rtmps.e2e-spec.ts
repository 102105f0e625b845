import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../support/test-app';
import { startEncoder, startIngestApp, type Encoder, type IngestApp } from '../support/encoders';

/** RTMPS: RTMP over TLS with a configured certificate and key (here a self-signed one). */
describe('RTMPS ingest', () => {
  let f: IngestApp;
  let dir: string;
  let port: number;
  const encoders: Encoder[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-rtmps-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    port = await freePort();
    f = await startIngestApp({
      redis: false,
      env: {
        RTMPS_PORT: String(port),
        RTMPS_CERT_FILE: path.join(dir, 'cert.pem'),
        RTMPS_KEY_FILE: path.join(dir, 'key.pem'),
        SRT_ENABLED: 'false',
      },
    });
  });
  afterEach(() => {
    for (const e of encoders.splice(0)) e.kill();
  });
  afterAll(async () => {
    await f?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hands out an rtmps URL and takes a TLS publisher with the key; SRT off leaves srtUrl null', async () => {
    const s = await f.newStream();
    const view = await f.ownerView(s.id);
    expect(view.rtmpsUrl).toBe(`rtmps://127.0.0.1:${port}/live`);
    expect(view.srtUrl).toBeNull();
    encoders.push(startEncoder({ url: `rtmps://127.0.0.1:${port}/live/${s.streamKey}` }));
    const v = await f.waitLive(s.id, 'live over RTMPS');
    expect(v.ingest?.protocol).toBe('rtmps');
    expect((await f.t.http.get('/health').expect(200)).body).toMatchObject({
      info: { ingest: { status: 'up', rtmps: port, srt: 'off' } },
    });
  });
});
