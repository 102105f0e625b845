import { RoomEmitter, type RoomTransport } from './room-emitter';

describe('RoomEmitter', () => {
  let rooms: Map<string, Set<string>>;
  let log: { to: string[]; event: string }[];
  const transport: RoomTransport = {
    members: (room) => rooms.get(room),
    emit: (to, event) => void log.push({ to: [...to], event }),
  };
  const ids = (n: number) => new Set(Array.from({ length: n }, (_, i) => `s${i}`));

  beforeEach(() => {
    rooms = new Map();
    log = [];
  });

  it('writes a small room in one emit to its sockets', async () => {
    rooms.set('r', ids(3));
    await new RoomEmitter(transport, 10, fail).emit('r', 'viewers', { count: 3 });
    expect(log).toEqual([{ to: ['s0', 's1', 's2'], event: 'viewers' }]);
  });

  it('writes a big room in chunks of socket ids, letting other work run between chunks', async () => {
    rooms.set('r', ids(25));
    const e = new RoomEmitter(transport, 10, fail);
    // Other work that became ready while the first chunk was written runs before the second.
    const between = new Promise<void>((resolve) =>
      setImmediate(() => resolve(void log.push({ to: ['-'], event: 'io' }))),
    );
    const done = e.emit('r', 'chat:messages', {});
    await Promise.all([done, between]);
    expect(log.map((l) => (l.event === 'io' ? '-' : l.to.length))).toEqual([10, '-', 10, 5]);
    const all = log.flatMap((l) => (l.event === 'io' ? [] : l.to));
    expect(new Set(all)).toEqual(ids(25));
  });

  it('keeps events in order: a frame is out on every socket before the next one starts', async () => {
    rooms.set('r', ids(25));
    rooms.set('staff', ids(2));
    const e = new RoomEmitter(transport, 10, fail);
    void e.emit('r', 'chat:messages', {});
    void e.emit('staff', 'gmv:update', {});
    await e.emit('r', 'chat:deleted', {});
    expect(log.map((l) => l.event)).toEqual([
      'chat:messages',
      'chat:messages',
      'chat:messages',
      'gmv:update',
      'chat:deleted',
      'chat:deleted',
      'chat:deleted',
    ]);
  });

  it('sends a queued event to the sockets in the room when it was emitted, not to later joiners', async () => {
    rooms.set('r', ids(25));
    const e = new RoomEmitter(transport, 10, fail);
    void e.emit('r', 'chat:messages', { n: 1 }); // big: written over several turns
    const second = e.emit('r', 'chat:message', { n: 2 }); // queued behind it
    rooms.get('r')!.add('late'); // joins (and gets line 2 in its room:state) before line 2 leaves
    await second;
    const gotLine2 = log.filter((l) => l.event === 'chat:message').flatMap((l) => l.to);
    expect(gotLine2).toHaveLength(25);
    expect(gotLine2).not.toContain('late');
  });

  it('each: hands the writer the sockets in the room when its turn comes, in chunks, after earlier events', async () => {
    rooms.set('r', ids(25));
    const e = new RoomEmitter(transport, 10, fail);
    void e.emit('r', 'chat:deleted', {}); // big: written over several turns
    const chunks: string[][] = [];
    const done = e.each('r', (to) => void chunks.push([...to]));
    rooms.get('r')!.add('late'); // joins while the event ahead is still going out
    expect(chunks).toEqual([]);
    await done;
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 6]);
    expect(chunks.flat()).toContain('late');
    // A small room with nothing queued is written at once.
    rooms.set('small', ids(3));
    const now: string[][] = [];
    void e.each('small', (to) => void now.push([...to]));
    expect(now).toEqual([['s0', 's1', 's2']]);
  });

  it('skips rooms without sockets and goes on after a failing emit', async () => {
    const errors: unknown[] = [];
    rooms.set('r', ids(1));
    let first = true;
    const e = new RoomEmitter(
      {
        members: transport.members,
        emit: (to, event, data) => {
          if (first) {
            first = false;
            throw new Error('socket gone');
          }
          transport.emit(to, event, data);
        },
      },
      10,
      (err) => errors.push(err),
    );
    await e.emit('nobody', 'viewers', {});
    await e.emit('r', 'a', {});
    await e.emit('r', 'b', {});
    expect(errors).toHaveLength(1);
    expect(log).toEqual([{ to: ['s0'], event: 'b' }]);
  });
});

function fail(e: unknown): never {
  throw e;
}
