import { Inject, Injectable } from '@nestjs/common';
import { STATE_STORE } from '../infra/infra.module';
import type { StateStore } from '../infra/state-store';
import type { IngestStatus, IngestStatusReader } from '../room/ingest-status';

const key = (streamId: string) => `ingest:status:${streamId}`;
/** A live status is rewritten every couple of seconds; one whose replica died ages out. */
const LIVE_TTL_MS = 60_000;
/** Without an encoder, the last status (its last error) stays for the studio a day. */
const ENDED_TTL_MS = 24 * 3600 * 1000;

/** The ingest status of each stream in the shared state store: written by the replica holding the encoder, read by any. */
@Injectable()
export class IngestStatusRepository implements IngestStatusReader {
  constructor(@Inject(STATE_STORE) private readonly state: StateStore) {}

  async get(streamId: string): Promise<IngestStatus | null> {
    const raw = await this.state.get(key(streamId));
    return raw ? (JSON.parse(raw) as IngestStatus) : null;
  }

  async put(streamId: string, status: IngestStatus): Promise<void> {
    await this.state.set(
      key(streamId),
      JSON.stringify(status),
      status.state === 'disconnected' ? ENDED_TTL_MS : LIVE_TTL_MS,
    );
  }
}
