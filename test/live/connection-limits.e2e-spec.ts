import { createStream } from '../support/streams';
import { type TestUser, useTestApp } from '../support/test-app';
import { join, type LiveClient, LiveClients, next } from '../support/live-client';
import { eventually, sleep } from '../support/wait';

/** One address may not flood a room with connections or anonymous viewers. */
describe('per-address limits on /live', () => {
  const t = useTestApp({
    redis: false,
    env: { LIVE_MAX_CONNECTIONS_PER_IP: '6', LIVE_MAX_ANONYMOUS_VIEWERS_PER_IP: '2' },
  });
  let streamer: TestUser;
  let streamId: string;
  const clients = new LiveClients();

  /** Connects from 127.0.0.1, or as `forwardedFor` behind a proxy on this host. */
  const attempt = (forwardedFor?: string) => clients.connect(t.baseUrl, undefined, forwardedFor);
  const openMany = async (n: number, forwardedFor?: string) => {
    const out: LiveClient[] = [];
    for (let i = 0; i < n; i++) out.push(await attempt(forwardedFor));
    return out;
  };

  beforeAll(async () => {
    streamer = await t.user('streamer');
  });
  beforeEach(async () => {
    streamId = (await createStream(t, streamer, { title: 'Limited' })).id;
  });
  afterEach(async () => {
    clients.disconnectAll();
    // The next test starts with every connection of this one gone on the server too.
    await sleep(300);
  });

  it('refuses connections beyond the per-address cap with a clear connect_error', async () => {
    const open = await openMany(6);
    const refused = await attempt().catch((e: Error & { data?: unknown }) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toBe(
      'too_many_connections: at most 6 live connections from one address; close another tab or try again later',
    );
    expect((refused as Error & { data?: unknown }).data).toEqual({ code: 'too_many_connections', limit: 6 });
    // Another address behind the local proxy has its own allowance.
    const elsewhere = await attempt('203.0.113.7');
    expect(elsewhere.connected).toBe(true);
    // A closed connection frees its place.
    open[0].disconnect();
    let again: LiveClient | undefined;
    await eventually(
      async () => {
        again = await attempt().catch(() => undefined);
        return again !== undefined;
      },
      5000,
      'a free place after a disconnect',
    );
    expect(again!.connected).toBe(true);
  });

  it('counts at most the cap of anonymous viewers per address; the rest watch as one', async () => {
    const devices = await openMany(5);
    const counts: number[] = [];
    for (const [i, s] of devices.entries()) {
      counts.push((await join(s, streamId, { deviceId: `device-${i}-abcdef` })).viewers);
    }
    // Two own device ids, then every further device shares the address's one place.
    expect(counts).toEqual([1, 2, 3, 3, 3]);
    // A signed-in viewer on the same address is counted as themselves.
    const user = await t.user('viewer');
    const signedIn = await attempt();
    const state = await join(signedIn, streamId, { token: user.token });
    expect(state.viewers).toBe(4);
    // Sockets without a device id are anonymous viewers too: no way around the cap.
    // (Wait for the broadcast of 5 too: a tick's earlier count of 4 may still be on its way
    // to devices[1], and must not be taken for the drop below.)
    const five = next<{ count: number }>(devices[1], 'viewers', (p) => p.count === 5);
    const [bare] = await openMany(1, '198.51.100.9');
    expect((await join(bare, streamId)).viewers).toBe(5);
    await five;
    // The first device leaves: its place is free for the next new device.
    const dropped = next<{ count: number }>(devices[1], 'viewers', (p) => p.count === 4);
    devices[0].disconnect();
    await dropped;
    const [newcomer] = await openMany(1);
    expect((await join(newcomer, streamId, { deviceId: 'device-new-abcdef' })).viewers).toBe(5);
  });
});
