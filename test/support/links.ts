import type TestAgent from 'supertest/lib/agent';

/** Who takes part: a user with a token and an email. */
interface Party {
  token: string;
  email: string;
}

/**
 * Links a streamer to a shop the way people do: the merchant invites the
 * streamer's email and the streamer accepts. Returns the invitation id.
 */
export async function linkStreamer(
  t: { http: TestAgent },
  merchant: Party,
  streamer: Party,
): Promise<string> {
  const invited = await t.http
    .post('/api/merchant/invitations')
    .set('Authorization', `Bearer ${merchant.token}`)
    .send({ email: streamer.email });
  if (invited.status !== 201 && invited.status !== 200) {
    throw new Error(`invitation failed: ${invited.status} ${invited.text}`);
  }
  const id = (invited.body as { id: string }).id;
  const accepted = await t.http
    .post(`/api/streamer/invitations/${id}/accept`)
    .set('Authorization', `Bearer ${streamer.token}`);
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status} ${accepted.text}`);
  return id;
}
