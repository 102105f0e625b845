/**
 * Load generator for the benchmarks, run as a child process (its own core,
 * its own event loop). Plain keep-alive HTTP/1.1 over net sockets, one
 * request in flight per connection, no pipelining: the client side costs a
 * few microseconds per request, so the numbers are the server's. Loopback
 * only.
 *
 * Protocol (IPC): the parent sends one `LoadJob`; the child answers with one
 * `LoadResult` and exits.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';

export interface LoadJob {
  port: number;
  connections: number;
  /** Stop after this long even if requests remain. */
  durationMs: number;
  /** Requests to send, in order, spread over the connections (each sent once). */
  requests:
    | { kind: 'orders'; tokensFile: string; path: string; body: string; keyPrefix: string; count: number }
    | { kind: 'get'; path: string; token: string; count: number };
  /** Where to write the ids of accepted orders, one per line. */
  acceptedFile?: string;
}

export interface LoadResult {
  sent: number;
  elapsedMs: number;
  /** Time from start to the last 2xx response. */
  lastOkMs: number;
  statuses: Record<string, number>;
  /** Latencies in ms of 2xx responses, and of the others. */
  okLatencies: number[];
  otherLatencies: number[];
  errors: number;
  sampleErrors: string[];
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** A result with nothing counted yet. */
export function emptyResult(): LoadResult {
  return {
    sent: 0,
    elapsedMs: 0,
    lastOkMs: 0,
    statuses: {},
    okLatencies: [],
    otherLatencies: [],
    errors: 0,
    sampleErrors: [],
  };
}

/** Counts one answer: its status, its latency among the 2xx or the others, and when the last 2xx came. */
export function countAnswer(
  result: LoadResult,
  status: number,
  latencyMs: number,
  sinceStartMs: number,
): void {
  result.statuses[status] = (result.statuses[status] ?? 0) + 1;
  if (status >= 200 && status < 300) {
    result.okLatencies.push(latencyMs);
    result.lastOkMs = sinceStartMs;
  } else {
    result.otherLatencies.push(latencyMs);
  }
}

function run(job: LoadJob): Promise<LoadResult> {
  const tokens =
    job.requests.kind === 'orders'
      ? fs.readFileSync(job.requests.tokensFile, 'utf8').split('\n').filter(Boolean)
      : [];
  const reqs = job.requests;
  const build = (i: number): Buffer => {
    if (reqs.kind === 'get') {
      return Buffer.from(
        `GET ${reqs.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${reqs.token}\r\n\r\n`,
      );
    }
    const body = reqs.body;
    return Buffer.from(
      `POST ${reqs.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tokens[i % tokens.length]}\r\n` +
        `Idempotency-Key: ${reqs.keyPrefix}${i}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  const result = emptyResult();
  const accepted: string[] = [];
  const start = performance.now();
  const deadline = start + job.durationMs;
  let next = 0;
  let open = job.connections;

  return new Promise((resolve) => {
    const finishOne = () => {
      if (--open > 0) return;
      result.elapsedMs = performance.now() - start;
      if (job.acceptedFile) fs.writeFileSync(job.acceptedFile, accepted.join('\n'));
      resolve(result);
    };

    for (let c = 0; c < job.connections; c++) {
      const sock = net.connect({ port: job.port, host: '127.0.0.1', noDelay: true });
      let buf: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      let busy = false;
      let done = false;
      const close = () => {
        if (done) return;
        done = true;
        sock.destroy();
        finishOne();
      };
      const sendNext = () => {
        if (next >= reqs.count || performance.now() >= deadline) return close();
        const i = next++;
        result.sent++;
        busy = true;
        sentAt = performance.now();
        sock.write(build(i));
      };
      sock.on('connect', sendNext);
      sock.on('data', (chunk: Buffer) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        for (;;) {
          const end = buf.indexOf(CRLF2);
          if (end < 0) return;
          const head = buf.subarray(0, end).toString('latin1');
          const status = Number(head.slice(9, 12));
          const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          if (!m) {
            result.errors++;
            if (result.sampleErrors.length < 5)
              result.sampleErrors.push(`no content-length: ${head.slice(0, 200)}`);
            return close();
          }
          const total = end + 4 + Number(m[1]);
          if (buf.length < total) return;
          const body = buf.subarray(end + 4, total);
          buf = buf.subarray(total);
          const now = performance.now();
          countAnswer(result, status, now - sentAt, now - start);
          if (job.acceptedFile && status === 201) {
            const id = /"id":"([0-9a-f-]{36})"/.exec(body.toString('latin1'));
            if (id) accepted.push(id[1]);
          } else if (status >= 500 && result.sampleErrors.length < 5) {
            result.sampleErrors.push(body.toString('utf8'));
          }
          busy = false;
          sendNext();
        }
      });
      sock.on('error', (e) => {
        result.errors++;
        if (result.sampleErrors.length < 5) result.sampleErrors.push(e.message);
        close();
      });
      sock.on('close', () => {
        if (busy && !done) result.errors++;
        close();
      });
    }
  });
}

if (require.main === module) {
  process.once('message', (job: LoadJob) => {
    void run(job).then((r) => {
      process.send!(r, () => process.exit(0));
    });
  });
}
