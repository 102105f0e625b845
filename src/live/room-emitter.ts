import { setImmediate as yieldToLoop } from 'node:timers/promises';

/** What a RoomEmitter needs of socket.io on this replica. */
export interface RoomTransport {
  /** Ids of the sockets in a room here, or undefined when there are none. */
  members(room: string): ReadonlySet<string> | undefined;
  /** Emits to the sockets with these ids (one encoding per call). */
  emit(ids: Iterable<string>, event: string, data: unknown): void;
}

/**
 * Delivery to one stream's rooms on this replica, in order, in chunks.
 *
 * A frame costs a socket write per viewer: thousands of viewers written in
 * one go hold the event loop, and every chat:send, ack and database answer
 * that arrives meanwhile waits that long, a large part of the chat latency
 * budget (docs/benchmarks/chat.md). Here a big room is written `chunk`
 * sockets at a time, yielding to the loop between chunks, with one encoding
 * per chunk. Events of a stream leave one after
 * the other (a frame is complete on every socket before the next starts), so
 * a line still reaches everyone before its deletion, and the order viewers see
 * is the order of the room channel. Each event goes to the sockets that were
 * in the room when it was emitted, as a synchronous emit would: a viewer who
 * joins meanwhile got it in its room:state and must not get it twice.
 */
export class RoomEmitter {
  private tail: Promise<void> = Promise.resolve();
  /** Sends queued or running. */
  private busy = 0;

  constructor(
    private readonly transport: RoomTransport,
    private readonly chunk: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  /**
   * An event for a room: it goes to the sockets in the room now (a socket
   * that joins later has it in its room:state), after every event queued
   * before it. Resolves once every one of those sockets has been written.
   */
  emit(room: string, event: string, data: unknown): Promise<void> {
    const members = this.transport.members(room);
    if (!members || members.size === 0) return this.tail;
    const write = (ids: Iterable<string>) => this.transport.emit(ids, event, data);
    if (this.busy === 0 && members.size <= this.chunk) return this.now(members, write);
    const ids = [...members];
    return this.enqueue(() => this.send(ids, write));
  }

  /**
   * Calls `write` with the room's sockets as they are when its turn comes
   * (after every event queued before it), a chunk at a time, yielding to the
   * loop between chunks. For writers that decide per socket what it still
   * needs (ChatFanout), so a socket that joined meanwhile is included.
   */
  each(room: string, write: (ids: Iterable<string>) => void): Promise<void> {
    if (this.busy === 0) {
      const members = this.transport.members(room);
      if (!members || members.size === 0) return this.tail;
      if (members.size <= this.chunk) return this.now(members, write);
    }
    return this.enqueue(async () => {
      const members = this.transport.members(room);
      if (members && members.size > 0) await this.send([...members], write);
    });
  }

  /** Nothing ahead of it and small: written at once, as socket.io would. */
  private now<T extends Iterable<string>>(ids: T, write: (ids: T) => void): Promise<void> {
    try {
      write(ids);
    } catch (e) {
      this.onError(e);
    }
    return Promise.resolve();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.busy++;
    const run = async (): Promise<void> => {
      try {
        await task();
      } catch (e) {
        this.onError(e);
      } finally {
        this.busy--;
      }
    };
    this.tail = this.busy === 1 ? run() : this.tail.then(run);
    return this.tail;
  }

  private async send(ids: string[], write: (ids: string[]) => void): Promise<void> {
    for (let i = 0; i < ids.length; i += this.chunk) {
      if (i > 0) await yieldToLoop();
      write(ids.slice(i, i + this.chunk));
    }
  }
}
