import { ChatFanout } from './chat-fanout';
import type { ChatMessage } from './live-events';

const line = (n: number): ChatMessage => ({
  id: `m${n}`,
  user: { id: 'u', name: 'U' },
  text: `line ${n}`,
  at: new Date(0).toISOString(),
});

describe('ChatFanout', () => {
  let frames: { event: string; texts: string[] }[];
  const sink = (event: string, data: unknown) =>
    void frames.push({
      event,
      texts:
        event === 'chat:message'
          ? [(data as ChatMessage).text]
          : (data as { messages: ChatMessage[] }).messages.map((m) => m.text),
    });

  beforeEach(() => {
    jest.useFakeTimers();
    frames = [];
  });
  afterEach(() => jest.useRealTimers());

  it('sends every line at once in a small room', () => {
    const f = new ChatFanout(100, sink);
    f.push(line(1), false);
    f.push(line(2), false);
    expect(frames).toEqual([
      { event: 'chat:message', texts: ['line 1'] },
      { event: 'chat:message', texts: ['line 2'] },
    ]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('in a big room: the first line at once, then one frame per window with what it gathered', () => {
    const f = new ChatFanout(100, sink);
    f.push(line(1), true);
    expect(frames).toEqual([{ event: 'chat:message', texts: ['line 1'] }]);
    jest.advanceTimersByTime(10);
    f.push(line(2), true);
    f.push(line(3), true);
    jest.advanceTimersByTime(89);
    expect(frames).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(frames[1]).toEqual({ event: 'chat:messages', texts: ['line 2', 'line 3'] });
    f.push(line(4), true);
    jest.advanceTimersByTime(100);
    expect(frames[2]).toEqual({ event: 'chat:message', texts: ['line 4'] });
    // A window without lines closes the batching: the next line leaves at once.
    jest.advanceTimersByTime(100);
    expect(jest.getTimerCount()).toBe(0);
    f.push(line(5), true);
    expect(frames[3]).toEqual({ event: 'chat:message', texts: ['line 5'] });
  });

  it('with a sink that writes in chunks, the window starts when the frame is out', async () => {
    let release!: () => void;
    const slow = (event: string, data: unknown) => {
      sink(event, data);
      return new Promise<void>((r) => (release = r));
    };
    const f = new ChatFanout(100, slow);
    f.push(line(1), true);
    f.push(line(2), true);
    jest.advanceTimersByTime(500); // the first frame is still going out: no window runs yet
    expect(frames).toHaveLength(1);
    release();
    await Promise.resolve();
    await Promise.resolve();
    jest.advanceTimersByTime(99);
    expect(frames).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(frames[1]).toEqual({ event: 'chat:message', texts: ['line 2'] });
    f.close();
  });

  it('flush sends the open window at once (before a deletion) and tells joiners what is pending', () => {
    const f = new ChatFanout(100, sink);
    f.push(line(1), true);
    expect(f.pendingIds()).toBeNull();
    f.push(line(2), true);
    f.push(line(3), true);
    expect([...(f.pendingIds() ?? [])]).toEqual(['m2', 'm3']);
    void f.flush();
    expect(frames[1]).toEqual({ event: 'chat:messages', texts: ['line 2', 'line 3'] });
    expect(f.pendingIds()).toBeNull();
    f.close();
    expect(jest.getTimerCount()).toBe(0);
    expect(frames).toHaveLength(2);
  });
});
