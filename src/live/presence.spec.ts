import { LocalStateStore } from '../infra/state-store';
import { Presence } from './presence';

describe('Presence', () => {
  let now: number;
  let store: LocalStateStore;
  let presence: Presence;
  beforeEach(() => {
    now = 1_000_000; // the start of a period
    store = new LocalStateStore(() => now);
    presence = new Presence(store, 10_000, () => now);
  });
  afterEach(() => store.close());

  it('counts a viewer once however many times they join', async () => {
    expect(await presence.add('s', 'u:1')).toBe(true);
    expect(await presence.add('s', 'u:1')).toBe(false);
    await presence.add('s', 'd:abc');
    expect(await presence.count('s')).toBe(2);
    expect(await presence.uniqueTotal('s')).toBe(2);
  });

  it('drops a viewer at once when they leave, but keeps them in the unique total', async () => {
    await presence.add('s', 'u:1');
    await presence.add('s', 'u:2');
    await presence.remove('s', 'u:1');
    expect(await presence.count('s')).toBe(1);
    expect(await presence.uniqueTotal('s')).toBe(2);
  });

  it('keeps viewers whose replica re-announces them every period', async () => {
    await presence.add('s', 'u:1');
    for (let i = 0; i < 5; i++) {
      now += 10_000;
      await presence.refresh('s', ['u:1']);
      now += 5000;
      expect(await presence.count('s')).toBe(1);
      now -= 5000;
    }
  });

  it("ages out a crashed replica's viewers within a period and its grace", async () => {
    await presence.add('s', 'u:alive');
    await presence.add('s', 'u:crashed');
    now += 10_000; // next period: only the live replica re-announces
    await presence.refresh('s', ['u:alive']);
    expect(await presence.count('s')).toBe(2); // the grace: others may still be re-announcing
    now += presence.graceMs;
    expect(await presence.count('s')).toBe(1);
  });

  it('does not dip to zero while replicas re-announce at the turn of a period', async () => {
    await presence.add('s', 'u:1');
    await presence.add('s', 'u:2');
    now += 10_000 + 10; // no replica has re-announced yet
    expect(await presence.count('s')).toBe(2);
  });

  it("announces the next period's viewers before it starts, so its set is whole after the grace", async () => {
    await presence.add('s', 'u:1');
    await presence.add('s', 'u:2');
    const next = presence.nextAnnouncement();
    expect(next).toEqual({ period: presence.period() + 1, inMs: 10_000 - presence.leadMs });
    now += next.inMs;
    await presence.refresh('s', ['u:1', 'u:2'], next.period);
    // The replica's next announcement is for the period after (not the same one twice).
    expect(presence.nextAnnouncement(next.period).period).toBe(next.period + 1);
    now += presence.leadMs + presence.graceMs + 1; // past the turn and its grace, no one announced again
    expect(await presence.count('s')).toBe(2);
  });

  it('counts a viewer who joins in the lead before a turn in the next period too, and drops them there when they leave', async () => {
    now += 10_000 - presence.leadMs + 1;
    await presence.add('s', 'u:late');
    await presence.add('s', 'u:gone');
    await presence.remove('s', 'u:gone');
    now += presence.leadMs + presence.graceMs;
    expect(await presence.count('s')).toBe(1);
  });

  it('keeps streams apart', async () => {
    await presence.add('a', 'u:1');
    expect(await presence.count('b')).toBe(0);
  });
});
