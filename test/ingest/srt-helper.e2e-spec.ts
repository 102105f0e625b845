import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { loadConfig } from '../../src/config/config';
import { freeUdpPort, startEncoder, type Encoder } from '../support/encoders';
import { eventually } from '../support/wait';

/**
 * livecart-srt on its own (media/ingest/srt/livecart-srt.c): the line
 * protocol with the app, the handshake-time decision, the payload on the
 * Unix socket, and what it does with callers it should not take.
 */
describe('the SRT helper (livecart-srt)', () => {
  const helperPath = loadConfig({ NODE_ENV: 'test' }).ingest.srt.helperPath;
  let helper: ChildProcessWithoutNullStreams;
  let port: number;
  let dir: string;
  const lines: string[] = [];
  const media: { id: string; bytes: Buffer[]; socket: net.Socket }[] = [];
  let server: net.Server;
  const encoders: Encoder[] = [];
  const say = (line: string) => helper.stdin.write(`${line}\n`);
  /** A 320×240 test encoder calling `srtPort` with `query` (for `seconds`, else until killed); killed after the test. */
  const call = (srtPort: number, query: string, seconds?: number) => {
    const e = startEncoder({ url: `srt://127.0.0.1:${srtPort}?${query}`, width: 320, height: 240, seconds });
    encoders.push(e);
    return e;
  };
  const nextAuth = async (from: number) => {
    await eventually(() => lines.slice(from).some((l) => l.startsWith('auth ')), 5000, 'an auth line');
    const line = lines.slice(from).find((l) => l.startsWith('auth '))!;
    const [, id, peer, hex] = line.split(' ');
    return { id, peer, streamid: Buffer.from(hex, 'hex').toString() };
  };

  beforeAll(async () => {
    expect(fs.existsSync(helperPath)).toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-srt-'));
    const sock = path.join(dir, 'media.sock');
    server = net.createServer((socket) => {
      const entry = { id: '', bytes: [] as Buffer[], socket };
      media.push(entry);
      socket.on('data', (d: Buffer) => entry.bytes.push(d));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(sock, () => r()));
    port = await freeUdpPort();
    helper = spawn(helperPath, ['127.0.0.1', String(port), sock, '120', '4']);
    readline.createInterface({ input: helper.stdout }).on('line', (l) => lines.push(l));
    await eventually(() => lines.includes(`ready ${port}`), 5000, 'ready');
  });
  afterEach(() => {
    for (const e of encoders.splice(0)) e.kill();
  });
  afterAll(async () => {
    helper.kill('SIGKILL');
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("asks the app before accepting, then streams the caller's MPEG-TS to the app's Unix socket", async () => {
    const from = lines.length;
    const e = call(port, 'streamid=key-one');
    const auth = await nextAuth(from);
    expect(auth.streamid).toBe('key-one');
    expect(auth.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    say(`ok ${auth.id}`);
    await eventually(() => lines.includes(`open ${auth.id}`), 5000, 'open');
    await eventually(() => media.some((m) => Buffer.concat(m.bytes).length > 20_000), 5000, 'payload');
    const m = media.find((x) => Buffer.concat(x.bytes).length > 20_000)!;
    const data = Buffer.concat(m.bytes);
    const nl = data.indexOf(10);
    expect(data.subarray(0, nl).toString()).toBe(auth.id);
    // MPEG-TS: 188-byte packets starting with the 0x47 sync byte.
    expect(data[nl + 1]).toBe(0x47);
    expect(data[nl + 1 + 188]).toBe(0x47);
    await eventually(() => lines.some((l) => l.startsWith(`stats ${auth.id} `)), 3000, 'stats');

    say(`close ${auth.id}`);
    await eventually(() => lines.includes(`closed ${auth.id} closed by the app`), 3000, 'closed');
    expect(await e.exited).not.toBe(0);
  });

  it('rejects a caller the app refuses, in the handshake', async () => {
    const from = lines.length;
    const e = call(port, 'streamid=wrong', 3);
    const auth = await nextAuth(from);
    say(`no ${auth.id} 1401`);
    expect(await e.exited).not.toBe(0);
    expect(lines.slice(from).some((l) => l.startsWith('open '))).toBe(false);
  });

  it('rejects a caller the app does not answer within 3 s', async () => {
    const from = lines.length;
    const e = call(port, 'streamid=silent', 3);
    await nextAuth(from);
    expect(await e.exited).not.toBe(0);
    expect(lines.slice(from).some((l) => l.startsWith('open '))).toBe(false);
  });

  it('survives datagrams that are not SRT, and still takes callers', async () => {
    const sock = dgram.createSocket('udp4');
    for (let i = 0; i < 200; i++) {
      sock.send(Buffer.alloc(1 + ((i * 37) % 1400), i & 0xff), port, '127.0.0.1');
    }
    await new Promise((r) => setTimeout(r, 300));
    sock.close();
    expect(helper.exitCode).toBeNull();
    const from = lines.length;
    call(port, 'streamid=after-noise');
    const auth = await nextAuth(from);
    say(`ok ${auth.id}`);
    await eventually(() => lines.includes(`open ${auth.id}`), 5000, 'open after the noise');
  });

  it('with a passphrase, takes only callers that encrypt with it', async () => {
    const sockPath = path.join(dir, 'media2.sock');
    const srv = net.createServer((socket) => socket.resume());
    await new Promise<void>((r) => srv.listen(sockPath, () => r()));
    const p2 = await freeUdpPort();
    const h2 = spawn(helperPath, ['127.0.0.1', String(p2), sockPath, '120', '4'], {
      env: { ...process.env, LIVECART_SRT_PASSPHRASE: 'correct-horse-battery' },
    });
    const out: string[] = [];
    readline.createInterface({ input: h2.stdout }).on('line', (l) => {
      out.push(l);
      const m = /^auth (\d+) /.exec(l);
      if (m) h2.stdin.write(`ok ${m[1]}\n`);
    });
    try {
      await eventually(() => out.includes(`ready ${p2}`), 5000, 'ready');
      const plain = call(p2, 'streamid=k', 3);
      expect(await plain.exited).not.toBe(0);
      expect(out.some((l) => l.startsWith('open '))).toBe(false);
      call(p2, 'streamid=k&passphrase=correct-horse-battery');
      await eventually(() => out.some((l) => l.startsWith('open ')), 5000, 'an encrypted caller');
    } finally {
      h2.kill('SIGKILL');
      await new Promise<void>((r) => srv.close(() => r()));
    }
  });

  it('exits when the app closes its stdin, and refuses bad arguments', async () => {
    const exited = new Promise<number | null>((r) => helper.once('exit', (code) => r(code)));
    helper.stdin.end();
    expect(await exited).toBe(0);
    const bad = spawn(helperPath, ['nonsense']);
    expect(await new Promise((r) => bad.once('exit', r))).toBe(2);
  });
});
