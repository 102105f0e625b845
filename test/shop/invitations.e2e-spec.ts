import { randomBytes } from 'node:crypto';
import { type TestUser, useTestApp } from '../support/test-app';

/**
 * Onboarding by people, not ids: a shop invites a streamer by email, the
 * streamer sees it in the studio and accepts or declines; a stream picks its
 * shop among the accepted ones, and can change it until it goes live.
 */
describe('invitations and a stream’s shop', () => {
  const t = useTestApp({ redis: false });
  const auth = (u: { token: string }) => ({ Authorization: `Bearer ${u.token}` });

  const invite = (merchant: TestUser, email: string) =>
    t.http.post('/api/merchant/invitations').set(auth(merchant)).send({ email });
  const pending = async (streamer: { token: string }) =>
    (await t.http.get('/api/streamer/invitations').set(auth(streamer)).expect(200)).body.items as {
      id: string;
      merchant: { id: string; name: string };
    }[];

  it('invites by email; the streamer sees it, accepts, and may then stream for the shop', async () => {
    const merchant = await t.user('merchant', 'Corner Shop');
    const streamer = await t.user('streamer', 'Ana');
    const first = await invite(merchant, `  ${streamer.email.toUpperCase()} `).expect(201);
    expect(first.body).toMatchObject({ email: streamer.email, status: 'pending', streamer: null });
    const again = await invite(merchant, streamer.email).expect(200);
    expect(again.body.id).toBe(first.body.id);

    // Before accepting: not linked, and a stream for the shop is refused in words.
    const refused = await t.http
      .post('/api/streams')
      .set(auth(streamer))
      .send({ title: 'Drop', merchantId: merchant.id })
      .expect(403);
    expect(refused.body.error.message).toMatch(/^This shop has not invited you/);

    expect(await pending(streamer)).toEqual([
      {
        id: first.body.id,
        merchant: { id: merchant.id, name: 'Corner Shop' },
        createdAt: expect.any(String),
      },
    ]);
    const other = await t.user('streamer');
    expect(await pending(other)).toEqual([]);
    await t.http.post(`/api/streamer/invitations/${first.body.id}/accept`).set(auth(other)).expect(404);

    const accepted = await t.http
      .post(`/api/streamer/invitations/${first.body.id}/accept`)
      .set(auth(streamer))
      .expect(200);
    expect(accepted.body).toEqual({
      merchantId: merchant.id,
      name: 'Corner Shop',
      linkedAt: expect.any(String),
    });
    expect(await pending(streamer)).toEqual([]);
    const shops = await t.http.get('/api/streamer/merchants').set(auth(streamer)).expect(200);
    expect(shops.body.items.map((s: { merchantId: string }) => s.merchantId)).toEqual([merchant.id]);
    const list = await t.http.get('/api/merchant/invitations').set(auth(merchant)).expect(200);
    expect(list.body.items[0]).toMatchObject({
      status: 'accepted',
      streamer: { id: streamer.id, name: 'Ana' },
    });
    const s = await t.http
      .post('/api/streams')
      .set(auth(streamer))
      .send({ title: 'Drop', merchantId: merchant.id })
      .expect(201);
    expect(s.body.shop).toEqual({ id: merchant.id, name: 'Corner Shop' });
    // Answered once: a second answer finds nothing to answer.
    const twice = await t.http
      .post(`/api/streamer/invitations/${first.body.id}/decline`)
      .set(auth(streamer))
      .expect(404);
    expect(twice.body.error.message).toMatch(/^This shop has not invited you/);
  });

  it('answers the same whether or not the email has an account', async () => {
    const merchant = await t.user('merchant');
    const known = await t.user('streamer');
    const a = await invite(merchant, known.email).expect(201);
    const b = await invite(merchant, `nobody-${randomBytes(4).toString('hex')}@test.livecart`).expect(201);
    const shape = (x: Record<string, unknown>) => ({ ...x, id: 'id', email: 'email', createdAt: 'at' });
    expect(shape(a.body)).toEqual(shape(b.body));
    expect(Object.keys(a.headers).sort()).toEqual(Object.keys(b.headers).sort());
  });

  it('shows an invitation to an email without an account once that account is made', async () => {
    const merchant = await t.user('merchant', 'Late Shop');
    const email = `later-${randomBytes(4).toString('hex')}@test.livecart`;
    await invite(merchant, email).expect(201);
    const reg = await t.http
      .post('/api/auth/register')
      .send({ email, password: 'password-123', name: 'Later', role: 'streamer' })
      .expect(201);
    const streamer = { token: reg.body.accessToken as string };
    const [inv] = await pending(streamer);
    expect(inv.merchant.name).toBe('Late Shop');
    await t.http.post(`/api/streamer/invitations/${inv.id}/accept`).set(auth(streamer)).expect(200);
  });

  it('lets the streamer decline and the shop withdraw, and says so in words', async () => {
    const merchant = await t.user('merchant');
    const streamer = await t.user('streamer');
    const declined = (await invite(merchant, streamer.email).expect(201)).body;
    await t.http
      .post(`/api/streamer/invitations/${declined.id}/decline`)
      .set(auth(streamer))
      .expect(200, { id: declined.id, status: 'declined' });
    const shops = await t.http.get('/api/streamer/merchants').set(auth(streamer)).expect(200);
    expect(shops.body.items).toEqual([]);
    const revokeAnswered = await t.http
      .delete(`/api/merchant/invitations/${declined.id}`)
      .set(auth(merchant))
      .expect(409);
    expect(revokeAnswered.body.error.message).toMatch(/^This invitation was already declined/);

    // A new invitation after a declined one, withdrawn before it is answered.
    const second = (await invite(merchant, streamer.email).expect(201)).body;
    await t.http.delete(`/api/merchant/invitations/${second.id}`).set(auth(merchant)).expect(204);
    expect(await pending(streamer)).toEqual([]);
    await t.http.post(`/api/streamer/invitations/${second.id}/accept`).set(auth(streamer)).expect(404);
    const other = await t.user('merchant');
    await t.http.delete(`/api/merchant/invitations/${second.id}`).set(auth(other)).expect(404);
  });

  it('refuses what makes no sense, in sentences', async () => {
    const merchant = await t.user('merchant');
    const viewer = await t.user('viewer');
    const own = await invite(merchant, merchant.email).expect(422);
    expect(own.body.error.message).toMatch(/your own email/);
    const bad = await invite(merchant, 'not-an-email').expect(400);
    expect(bad.body.error.message).toBe('Enter the email address of the streamer you want to invite.');
    await invite(merchant, null as unknown as string).expect(400);
    await t.http.get('/api/streamer/invitations').set(auth(viewer)).expect(403);
    await t.http.post('/api/merchant/invitations').set(auth(viewer)).send({ email: 'a@b.co' }).expect(403);
  });

  it('attaches, changes or detaches the shop of a stream until it goes live', async () => {
    const merchant = await t.user('merchant', 'First Shop');
    const second = await t.user('merchant', 'Second Shop');
    const streamer = await t.user('streamer');
    for (const m of [merchant, second]) {
      const inv = (await invite(m, streamer.email).expect(201)).body;
      await t.http.post(`/api/streamer/invitations/${inv.id}/accept`).set(auth(streamer)).expect(200);
    }
    const created = await t.http
      .post('/api/streams')
      .set(auth(streamer))
      .send({ title: 'Plain' })
      .expect(201);
    const id = created.body.id as string;
    expect(created.body.shop).toBeNull();
    const patch = (body: unknown, who: { token: string } = streamer) =>
      t.http
        .patch(`/api/streams/${id}`)
        .set(auth(who))
        .send(body as object);

    expect((await patch({ merchantId: merchant.id }).expect(200)).body.shop).toEqual({
      id: merchant.id,
      name: 'First Shop',
    });
    expect((await patch({ merchantId: second.id, title: 'Renamed' }).expect(200)).body).toMatchObject({
      title: 'Renamed',
      shop: { id: second.id, name: 'Second Shop' },
    });
    expect((await patch({}).expect(200)).body.merchantId).toBe(second.id);
    expect((await patch({ merchantId: null }).expect(200)).body.shop).toBeNull();

    const stranger = await t.user('merchant');
    const notInvited = await patch({ merchantId: stranger.id }).expect(403);
    expect(notInvited.body.error.message).toMatch(/^This shop has not invited you/);
    const byEmail = await patch({ merchantId: merchant.email }).expect(400);
    expect(byEmail.body.error.message).toBe('Choose one of your shops from the list.');
    const notAShop = await patch({ merchantId: streamer.id }).expect(400);
    expect(notAShop.body.error.message).toMatch(/^There is no shop with this id/);
    await patch({ title: null }).expect(400);
    await patch({ merchantId: merchant.id }, await t.user('streamer')).expect(403);

    await t.sql(`UPDATE streams SET status = 'live', started_at = now() WHERE id = $1`, [id]);
    const live = await patch({ merchantId: merchant.id }).expect(409);
    expect(live.body.error.message).toBe(
      'The shop of a stream can only be chosen or changed before it goes live.',
    );
    expect((await patch({ title: 'Still renamable' }).expect(200)).body.title).toBe('Still renamable');
  });
});
