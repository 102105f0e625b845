import { ChatFanout, type ChatSink } from './chat-fanout';
import type { ChatMessage } from '../room/protocol';

const line = (n: number): ChatMessage => ({
  id: `m${n}`,
  user: { id: 'u', name: 'U' },
  text: `line ${n}`,
  at: new Date(0).toISOString(),
});

/**
 * A room on one replica as RoomEmitter presents it: fan-outs queue one after
 * the other and take the members when their turn comes; a room bigger than
 * `chunk` is written a chunk per `step()`.
 */
class FakeRoom implements ChatSink {
  members: string[] = [];
  frames: { to: string[]; event: string; texts: string[] }[] = [];
  private queue: { write: (ids: Iterable<string>) => void; done: () => void }[] = [];
  private at = 0;

  constructor(public chunk = Infinity) {}

  each(write: (ids: Iterable<string>) => void): void | Promise<void> {
    if (this.queue.length === 0 && this.members.length <= this.chunk) return write(this.members);
    return new Promise<void>((done) => this.queue.push({ write, done }));
  }

  emit(ids: string[], event: string, data: unknown): void {
    const texts =
      event === 'chat:message'
        ? [(data as ChatMessage).text]
        : (data as { messages: ChatMessage[] }).messages.map((m) => m.text);
    this.frames.push({ to: [...ids], event, texts });
  }

  /** Writes the next chunk of the fan-out whose turn it is. */
  step(): void {
    const head = this.queue[0];
    head.write(this.members.slice(this.at, this.at + this.chunk));
    this.at += this.chunk;
    if (this.at >= this.members.length) {
      this.at = 0;
      this.queue.shift();
      head.done();
    }
  }

  /** Every text each socket received, in order. */
  received(id: string): string[] {
    return this.frames.filter((f) => f.to.includes(id)).flatMap((f) => f.texts);
  }
}

/** Lets promise callbacks (a fan-out's end) run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('ChatFanout', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const open = (room: FakeRoom, windowMs: number, ...ids: string[]) => {
    const f = new ChatFanout(windowMs, room);
    for (const id of ids) {
      room.members.push(id);
      f.joined(id);
    }
    return f;
  };

  it('sends every line at once in a small room', () => {
    const room = new FakeRoom();
    const f = open(room, 100, 'a', 'b');
    f.push(line(1), false);
    f.push(line(2), false);
    expect(room.frames).toEqual([
      { to: ['a', 'b'], event: 'chat:message', texts: ['line 1'] },
      { to: ['a', 'b'], event: 'chat:message', texts: ['line 2'] },
    ]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('in a big room: the first line at once, then one frame per window with what it gathered', async () => {
    const room = new FakeRoom();
    const f = open(room, 100, 'a', 'b');
    const sent = () => room.frames.map((x) => ({ event: x.event, texts: x.texts }));
    f.push(line(1), true);
    expect(sent()).toEqual([{ event: 'chat:message', texts: ['line 1'] }]);
    jest.advanceTimersByTime(10);
    f.push(line(2), true);
    f.push(line(3), true);
    jest.advanceTimersByTime(89);
    expect(room.frames).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(sent()[1]).toEqual({ event: 'chat:messages', texts: ['line 2', 'line 3'] });
    f.push(line(4), true);
    jest.advanceTimersByTime(100);
    expect(sent()[2]).toEqual({ event: 'chat:message', texts: ['line 4'] });
    // A window without lines closes the batching: the next line leaves at once.
    jest.advanceTimersByTime(100);
    expect(jest.getTimerCount()).toBe(0);
    f.push(line(5), true);
    expect(sent()[3]).toEqual({ event: 'chat:message', texts: ['line 5'] });
    await settle();
  });

  it('in chunks: a line that arrives during a fan-out reaches the sockets not yet written in it', async () => {
    const room = new FakeRoom(2);
    const f = open(room, 100, 's1', 's2', 's3', 's4', 's5', 's6');
    f.push(line(1), true);
    room.step(); // s1, s2 get line 1
    f.push(line(2), true); // arrives mid fan-out
    room.step(); // s3, s4 get lines 1 and 2
    room.step(); // s5, s6 too
    await settle();
    expect(room.frames.map((x) => [x.to.join(), x.texts.join()])).toEqual([
      ['s1,s2', 'line 1'],
      ['s3,s4', 'line 1,line 2'],
      ['s5,s6', 'line 1,line 2'],
    ]);
    // The window runs once the fan-out is out; the next one brings s1 and s2 up to date only.
    jest.advanceTimersByTime(100);
    room.step();
    room.step();
    room.step();
    await settle();
    expect(room.frames.slice(3).map((x) => [x.to.join(), x.event, x.texts.join()])).toEqual([
      ['s1,s2', 'chat:message', 'line 2'],
    ]);
    for (const id of room.members) expect(room.received(id)).toEqual(['line 1', 'line 2']);
    // Nobody is behind: the next window ends the batching.
    jest.advanceTimersByTime(100);
    expect(jest.getTimerCount()).toBe(0);
    f.close();
  });

  it('the window starts when the fan-out is out, not when it started', async () => {
    const room = new FakeRoom(1);
    const f = open(room, 100, 'a', 'b');
    f.push(line(1), true);
    f.push(line(2), true);
    jest.advanceTimersByTime(500); // the first fan-out is still going out: no window runs yet
    expect(room.frames).toHaveLength(0);
    room.step();
    room.step();
    await settle();
    expect(room.received('a')).toEqual(['line 1', 'line 2']);
    f.push(line(3), true);
    jest.advanceTimersByTime(99);
    expect(room.received('a')).toHaveLength(2);
    jest.advanceTimersByTime(1);
    room.step();
    room.step();
    expect(room.received('b')).toEqual(['line 1', 'line 2', 'line 3']);
    f.close();
  });

  it('a joiner gets only the lines after its room:state, a socket that left gets nothing more', async () => {
    const room = new FakeRoom(2);
    const f = open(room, 100, 'a', 'b', 'c');
    f.push(line(1), true);
    room.step();
    // 'late' joins mid fan-out (line 1 is in its room:state); 'c' leaves before its chunk.
    room.members.push('late');
    f.joined('late');
    room.members = room.members.filter((id) => id !== 'c');
    f.left('c');
    f.push(line(2), true);
    room.step();
    await settle();
    jest.advanceTimersByTime(100);
    room.step();
    room.step();
    await settle();
    expect(room.received('a')).toEqual(['line 1', 'line 2']);
    expect(room.received('b')).toEqual(['line 1', 'line 2']);
    expect(room.received('late')).toEqual(['line 2']);
    expect(room.received('c')).toEqual([]);
    f.close();
  });

  it('flush brings every socket up to date at once (before a deletion), and is a no-op when nobody is behind', async () => {
    const room = new FakeRoom();
    const f = open(room, 100, 'a', 'b');
    f.push(line(1), true);
    f.push(line(2), true);
    f.push(line(3), true);
    expect(room.frames).toHaveLength(1);
    expect(f.flush()).toBeUndefined(); // written synchronously: a small sink
    expect(room.frames[1]).toEqual({ to: ['a', 'b'], event: 'chat:messages', texts: ['line 2', 'line 3'] });
    expect(f.flush()).toBeUndefined();
    expect(room.frames).toHaveLength(2);
    f.close();
    expect(jest.getTimerCount()).toBe(0);
    await settle();
    expect(room.frames).toHaveLength(2);
  });

  it('sockets behind by different amounts each get what they miss, one frame per cursor', async () => {
    const room = new FakeRoom(1);
    const f = open(room, 100, 'a', 'b');
    f.push(line(1), true);
    room.step(); // a: line 1
    f.push(line(2), true);
    room.step(); // b: lines 1 and 2
    await settle();
    room.members.push('c');
    f.joined('c'); // at line 2, like b
    f.push(line(3), true);
    room.chunk = Infinity; // the next fan-out is written in one go
    jest.advanceTimersByTime(100);
    expect(room.frames.slice(2).map((x) => [x.to.join(), x.texts.join()])).toEqual([
      ['a', 'line 2,line 3'],
      ['b,c', 'line 3'],
    ]);
    expect(f.head).toBe(3);
    f.close();
  });

  it('keeps at most 10,000 lines for a socket no fan-out reaches, then gives it the newest', () => {
    const room = new FakeRoom();
    const f = open(room, 0, 'a');
    f.joined('ghost'); // has a cursor but is not in the room: it holds the log back
    for (let n = 1; n <= 10_001; n++) f.push(line(n), false);
    room.members.push('ghost');
    void f.flush();
    const got = room.received('ghost');
    expect(got).toHaveLength(10_000);
    expect(got[0]).toBe('line 2');
    expect(got.at(-1)).toBe('line 10001');
    expect(room.received('a')).toHaveLength(10_001);
  });
});
