import { spawnTs, type TsProcess } from './processes';
import { createStream, type CreatedStream } from './streams';
import { type TestApp, type TestUser, useTestApp } from './test-app';
import { eventually } from './wait';
import { createPublisher, createViewer, type Publisher, type Viewer } from './webrtc';

/** What WHIP needs of a stream: its id and its key. */
export type Publishable = Pick<CreatedStream, 'id' | 'streamKey'>;

/** The peers a test opened, for it to close after it: `for (const p of peers.splice(0)) p.close()`. */
export type Peers = { close(): void }[];

/**
 * POSTs an SDP offer to the stream's WHIP endpoint with its stream key, or with `key`
 * (null: no Authorization header); the test checks the reply.
 */
export function postWhipOffer(
  t: TestApp,
  stream: Publishable,
  sdp: string,
  opts: { key?: string | null; contentType?: string } = {},
) {
  const key = opts.key === undefined ? stream.streamKey : opts.key;
  const req = t.http.post(`/whip/${stream.id}`);
  if (key !== null) void req.set('Authorization', `Bearer ${key}`);
  return req.set('Content-Type', opts.contentType ?? 'application/sdp').send(sdp);
}

/**
 * POSTs an SDP offer to a stream's WHEP endpoint, as a viewer at `from` (X-Forwarded-For, which the
 * app trusts from loopback) when given; the test checks the reply.
 */
export function postWhepOffer(t: TestApp, streamId: string, sdp: string, opts: { from?: string } = {}) {
  const req = t.http.post(`/whep/${streamId}`);
  if (opts.from) void req.set('X-Forwarded-For', opts.from);
  return req.set('Content-Type', 'application/sdp').send(sdp);
}

/** A headless publisher (test/support/webrtc.ts) live on the stream: answered over WHIP and connected. */
export async function publishOverWhip(
  t: TestApp,
  stream: Publishable,
  peers: Peers,
  size?: { width: number; height: number },
): Promise<{ pub: Publisher; location: string; contentType: string }> {
  const pub = createPublisher(size);
  peers.push(pub);
  const res = await postWhipOffer(t, stream, await pub.offer()).expect(201);
  await pub.answer(res.text);
  await eventually(() => pub.pc.connectionState === 'connected', 10_000, 'publisher connected');
  return { pub, location: res.headers.location, contentType: res.headers['content-type'] };
}

/** A headless WHEP viewer of the stream, answered (frames follow once it connects). */
export async function viewOverWhep(
  t: TestApp,
  streamId: string,
  peers: Peers,
): Promise<{ viewer: Viewer; location: string; offer: string; answer: string }> {
  const viewer = createViewer();
  peers.push(viewer);
  const offer = await viewer.offer();
  const res = await postWhepOffer(t, streamId, offer).expect(201);
  await viewer.answer(res.text);
  return { viewer, location: res.headers.location, offer, answer: res.text };
}

/**
 * A WHIP publisher in its own process (test/support/publisher-process.ts), once it says it is
 * connected or has exited: SIGKILL makes the peer vanish with no DTLS close alert and no DELETE.
 */
export async function publishFromProcess(t: TestApp, stream: Publishable): Promise<TsProcess> {
  const proc = spawnTs('test/support/publisher-process.ts', [
    `${t.baseUrl}/whip/${stream.id}`,
    stream.streamKey,
  ]);
  await eventually(
    () => proc.output().includes('connected') || proc.child.exitCode !== null,
    30_000,
    'child publisher connected',
  );
  return proc;
}

/** What {@link useWhipApp} gives a describe block. */
export interface WhipApp {
  readonly t: TestApp;
  readonly streamer: TestUser;
  /** The peers a test opens; closed after each test. */
  readonly peers: Peers;
  /** A new stream of the streamer. */
  newStream(title?: string): Promise<CreatedStream>;
  /** A headless publisher live on the stream (see {@link publishOverWhip}). */
  publish(stream: Publishable): ReturnType<typeof publishOverWhip>;
}

/**
 * For a describe block of WHIP/WHEP tests: an app with `env` and a streamer, started before its
 * tests and closed after them, and the peers each test opens, closed after it.
 */
export function useWhipApp(env: Record<string, string>): WhipApp {
  const t = useTestApp({ env });
  let streamer: TestUser | undefined;
  const peers: Peers = [];
  beforeAll(async () => {
    streamer = await t.user('streamer');
  });
  afterEach(() => {
    for (const p of peers.splice(0)) p.close();
  });
  const theStreamer = () => {
    if (!streamer) throw new Error('useWhipApp: the streamer registers in beforeAll');
    return streamer;
  };
  return {
    t,
    get streamer() {
      return theStreamer();
    },
    peers,
    newStream: (title) => createStream(t, theStreamer(), { title }),
    publish: (stream) => publishOverWhip(t, stream, peers),
  };
}
