import { ChatFanout } from './chat-fanout';
import type { ChatMessage } from './live-events';

const line = (n: number): ChatMessage => ({
  id: `m${n}`,
  user: { id: 'u', name: 'U' },
  text: `line ${n}`,
  at: new Date(0).toISOString(),
});

describe('ChatFanout', () => {
  let frames: { to: string; event: string; texts: string[] }[];
  const sink: {
    all(event: string, msg: ChatMessage): void;
    group(g: number, event: string, data: unknown): void;
  } = {
    all: (event, msg) => void frames.push({ to: 'all', event, texts: [msg.text] }),
    group: (g, event, data) =>
      void frames.push({
        to: `g${g}`,
        event,
        texts:
          event === 'chat:message'
            ? [(data as ChatMessage).text]
            : (data as { messages: ChatMessage[] }).messages.map((m) => m.text),
      }),
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    frames = [];
  });
  afterEach(() => jest.useRealTimers());

  it('sends every line at once to everyone in a small room', () => {
    const f = new ChatFanout(100, sink, 4);
    f.push(line(1), false);
    f.push(line(2), false);
    expect(frames).toEqual([
      { to: 'all', event: 'chat:message', texts: ['line 1'] },
      { to: 'all', event: 'chat:message', texts: ['line 2'] },
    ]);
    jest.advanceTimersByTime(1000);
    expect(frames).toHaveLength(2);
  });

  it('in a big room: first line at once, then each group gets its lines once per window, spread over it', () => {
    const f = new ChatFanout(100, sink, 4);
    f.push(line(1), true);
    expect(frames).toEqual([{ to: 'all', event: 'chat:message', texts: ['line 1'] }]);
    frames = [];
    jest.advanceTimersByTime(10);
    f.push(line(2), true);
    f.push(line(3), true);
    // Groups fire 25 ms apart: 0 at 25, 1 at 50, 2 at 75, 3 at 100.
    jest.advanceTimersByTime(15);
    expect(frames).toEqual([{ to: 'g0', event: 'chat:messages', texts: ['line 2', 'line 3'] }]);
    f.push(line(4), true);
    jest.advanceTimersByTime(75);
    expect(frames.slice(1)).toEqual([
      { to: 'g1', event: 'chat:messages', texts: ['line 2', 'line 3', 'line 4'] },
      { to: 'g2', event: 'chat:messages', texts: ['line 2', 'line 3', 'line 4'] },
      { to: 'g3', event: 'chat:messages', texts: ['line 2', 'line 3', 'line 4'] },
    ]);
    // Group 0 is owed line 4 only, as a single chat:message, one window after its last frame.
    jest.advanceTimersByTime(25);
    expect(frames.at(-1)).toEqual({ to: 'g0', event: 'chat:message', texts: ['line 4'] });
    expect(frames).toHaveLength(5);
  });

  it('never keeps a line longer than one window, and goes quiet after a window without lines', () => {
    const f = new ChatFanout(100, sink, 4);
    f.push(line(1), true);
    const sentAt = new Map<string, number>();
    const orig = sink.group;
    sink.group = (g, event, data) => {
      orig(g, event, data);
      sentAt.set(`g${g}`, Date.now());
    };
    jest.advanceTimersByTime(1);
    const pushedAt = Date.now();
    f.push(line(2), true);
    jest.advanceTimersByTime(200);
    for (const g of ['g0', 'g1', 'g2', 'g3']) expect(sentAt.get(g)! - pushedAt).toBeLessThanOrEqual(100);
    expect(jest.getTimerCount()).toBe(0);
    // Quiet again: the next line leaves at once.
    frames = [];
    f.push(line(3), true);
    expect(frames).toEqual([{ to: 'all', event: 'chat:message', texts: ['line 3'] }]);
    sink.group = orig;
  });

  it('flushAll sends each group what it is owed (before a deletion)', () => {
    const f = new ChatFanout(100, sink, 3);
    f.push(line(1), true);
    frames = [];
    f.push(line(2), true);
    jest.advanceTimersByTime(34); // group 0 had line 2
    f.push(line(3), true);
    f.flushAll();
    expect(frames).toEqual([
      { to: 'g0', event: 'chat:message', texts: ['line 2'] },
      { to: 'g0', event: 'chat:message', texts: ['line 3'] },
      { to: 'g1', event: 'chat:messages', texts: ['line 2', 'line 3'] },
      { to: 'g2', event: 'chat:messages', texts: ['line 2', 'line 3'] },
    ]);
  });

  it('tells a joining socket which lines its group is still owed', () => {
    const f = new ChatFanout(100, sink, 2);
    expect([f.assign(), f.assign(), f.assign()]).toEqual([0, 1, 0]);
    f.push(line(1), true);
    expect(f.pendingIds(0)).toBeNull();
    f.push(line(2), true);
    jest.advanceTimersByTime(50); // group 0 gets line 2
    f.push(line(3), true);
    expect([...(f.pendingIds(0) ?? [])]).toEqual(['m3']);
    expect([...(f.pendingIds(1) ?? [])]).toEqual(['m2', 'm3']);
  });
});
