import { bearer, type TestApp, type TestUser } from './test-app';

/** A stream as POST /api/streams answers it: the only answer that shows its key. */
export interface CreatedStream {
  id: string;
  streamKey: string;
  title: string;
  status: string;
  merchantId: string | null;
  whipUrl: string;
  whepUrl: string;
  hlsUrl: string;
}

/** A new stream of `streamer` (selling the products of `merchantId`, who must have linked them). */
export async function createStream(
  t: TestApp,
  streamer: TestUser,
  body: { title?: string; merchantId?: string } = {},
): Promise<CreatedStream> {
  const res = await t.http
    .post('/api/streams')
    .set(bearer(streamer))
    .send({ title: 'Test stream', ...body })
    .expect(201);
  return res.body as CreatedStream;
}

/** Ends a stream through the API, as its owner. */
export async function endStream(t: TestApp, streamer: TestUser, streamId: string): Promise<void> {
  await t.http.post(`/api/streams/${streamId}/end`).set(bearer(streamer)).expect(200);
}
