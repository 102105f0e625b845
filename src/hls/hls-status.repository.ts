import { Inject, Injectable } from '@nestjs/common';
import { STATE_STORE } from '../infra/infra.module';
import type { StateStore } from '../infra/state-store';
import { HLS_STATUS_TTL_MS, hlsStatusKey, type HlsStatus } from './hls.constants';

/** Transcode status in the shared state store: written by whichever worker runs the job, read by any replica. */
@Injectable()
export class HlsStatusRepository {
  constructor(@Inject(STATE_STORE) private readonly state: StateStore) {}

  async get(streamId: string): Promise<HlsStatus | undefined> {
    const raw = await this.state.get(hlsStatusKey(streamId));
    return raw ? (JSON.parse(raw) as HlsStatus) : undefined;
  }

  async put(status: Omit<HlsStatus, 'updatedAt'>): Promise<void> {
    const full: HlsStatus = { ...status, updatedAt: new Date().toISOString() };
    await this.state.set(hlsStatusKey(status.streamId), JSON.stringify(full), HLS_STATUS_TTL_MS);
  }
}
