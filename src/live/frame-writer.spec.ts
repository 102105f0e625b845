import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Namespace } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { FrameWriter, wsTextFrame } from './frame-writer';

describe('wsTextFrame', () => {
  // ws's own framing, the reference (the server's sockets run on ws).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Sender } = require('ws') as { Sender: { frame(d: Buffer, o: object): Buffer[] } };
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 70_000])('matches ws for a %d-byte payload', (n) => {
    const payload = Buffer.alloc(n, 'a');
    const ref = Buffer.concat(
      Sender.frame(payload, { readOnly: true, mask: false, rsv1: false, opcode: 1, fin: true }),
    );
    expect(wsTextFrame(payload).equals(ref)).toBe(true);
  });
});

/** A real socket.io server and clients on loopback: the writer must send exactly what socket.io would. */
describe('FrameWriter', () => {
  let http: HttpServer;
  let server: Server;
  let ns: Namespace;
  let url: string;
  const clients: ClientSocket[] = [];

  beforeEach(async () => {
    http = createServer();
    server = new Server(http, { perMessageDeflate: false });
    ns = server.of('/live');
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/live`;
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await new Promise<void>((r) => {
      void server.close(() => r());
    });
  });

  async function client(transports: ('websocket' | 'polling')[]): Promise<ClientSocket> {
    const c = connect(url, { transports, forceNew: true, reconnection: false, upgrade: false });
    clients.push(c);
    await new Promise<void>((resolve, reject) => {
      c.once('connect', resolve);
      c.once('connect_error', reject);
    });
    return c;
  }

  /** Collects what each client receives of `event`, until each has `n`. */
  function collect(cs: ClientSocket[], event: string, n: number): Promise<unknown[][]> {
    return Promise.all(
      cs.map(
        (c) =>
          new Promise<unknown[]>((resolve) => {
            const got: unknown[] = [];
            c.on(event, (d: unknown) => {
              got.push(d);
              if (got.length === n) resolve(got);
            });
          }),
      ),
    );
  }

  const ids = () => [...ns.sockets.keys()];
  /** A writer and the socket writes it reports, by path. */
  const counted = (enabled = true) => {
    const counts = { direct: 0, socketio: 0 };
    const writer = new FrameWriter(ns, enabled, (path, n) => (counts[path] += n));
    return { writer, counts };
  };

  it('writes the frame directly to websocket clients, and they decode the event as socket.io sent it', async () => {
    const cs = await Promise.all([1, 2, 3].map(() => client(['websocket'])));
    const { writer, counts } = counted();
    const data = {
      messages: [{ id: 'm1', text: 'héllo <b>"quoted"</b> 💬', at: '2026-12-01T00:00:00.000Z' }],
    };
    const got = collect(cs, 'chat:messages', 1);
    writer.emit(ids(), 'chat:messages', data);
    expect(await got).toEqual([[data], [data], [data]]);
    expect(counts).toEqual({ direct: 3, socketio: 0 });
  });

  it('frames a payload over 64 KiB with the long length form', async () => {
    const [c] = await Promise.all([client(['websocket'])]);
    const { writer, counts } = counted();
    const data = { text: 'x'.repeat(70_000) };
    const got = collect([c], 'big', 1);
    writer.emit(ids(), 'big', data);
    expect(await got).toEqual([[data]]);
    expect(counts.direct).toBe(1);
  });

  it('sends through socket.io to a long-polling client, and to everyone when disabled', async () => {
    const ws = await client(['websocket']);
    const polling = await client(['polling']);
    const { writer, counts } = counted();
    let got = collect([ws, polling], 'e', 1);
    writer.emit(ids(), 'e', { n: 1 });
    expect(await got).toEqual([[{ n: 1 }], [{ n: 1 }]]);
    expect(counts).toEqual({ direct: 1, socketio: 1 });

    const off = counted(false);
    got = collect([ws, polling], 'f', 1);
    off.writer.emit(ids(), 'f', { n: 2 });
    expect(await got).toEqual([[{ n: 2 }], [{ n: 2 }]]);
    expect(off.counts).toEqual({ direct: 0, socketio: 2 });
  });

  it('sends binary data through socket.io (it is not one text frame)', async () => {
    const c = await client(['websocket']);
    const { writer, counts } = counted();
    const got = collect([c], 'bin', 1);
    writer.emit(ids(), 'bin', { b: Buffer.from([1, 2, 3]) });
    const [[d]] = (await got) as [[{ b: ArrayBuffer }]];
    expect([...new Uint8Array(d.b)]).toEqual([1, 2, 3]);
    expect(counts).toEqual({ direct: 0, socketio: 1 });
  });

  it('keeps the order of frames mixed with socket.io emits, including ones engine.io had queued', async () => {
    const cs = await Promise.all([1, 2].map(() => client(['websocket'])));
    const { writer, counts } = counted();
    const got = collect(cs, 'seq', 40);
    for (let i = 0; i < 40; i += 2) {
      // A socket.io emit leaves engine.io's transport unwritable until its write completes,
      // so the next ones queue in engine.io: the writer must not overtake them.
      ns.to(ids()).emit('seq', i);
      writer.emit(ids(), 'seq', i + 1);
    }
    const order = Array.from({ length: 40 }, (_, i) => i);
    expect(await got).toEqual([order, order]);
    // Both paths ran: direct while engine.io had nothing queued, socket.io behind its queue.
    expect(counts.direct).toBeGreaterThan(0);
    expect(counts.socketio).toBeGreaterThan(0);
  });

  it('skips sockets that left', async () => {
    const [a, b] = await Promise.all([1, 2].map(() => client(['websocket'])));
    const before = ids();
    b.disconnect();
    while (ns.sockets.size > 1) await new Promise((r) => setTimeout(r, 10));
    const { writer, counts } = counted();
    const got = collect([a], 'after', 1);
    writer.emit(before, 'after', 1);
    expect(await got).toEqual([[1]]);
    expect(counts).toEqual({ direct: 1, socketio: 0 });
  });
});
