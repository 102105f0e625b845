import type { PlaylistState } from './playlist';
import type { HlsStorage } from './storage';

/** Segments a file of closed segments holds (~400 s of a show at 2 s segments). */
export const SEGMENTS_PER_FILE = 200;

/** What a stream's transcodes keep between runs, so a resumed transcode continues the same playlists. */
export interface TranscodeState {
  runs: number;
  playlists: Record<string, PlaylistState>;
}

/** A playlist as `state.json` holds it: its first `segmentFiles` × SEGMENTS_PER_FILE segments are in files. */
type SavedPlaylist = PlaylistState & { segmentFiles?: number };

const STATE_KEY = 'state.json';

/**
 * A stream's transcode state in its HLS store. It is saved at every part of
 * every rendition, and a show's playlists grow all show long: a segment that
 * is not the last goes, once, into a file of SEGMENTS_PER_FILE closed
 * segments (`state/<rendition>.<n>.json`), and `state.json` keeps the rest,
 * so a save costs the same two hours into a show as at its start. A
 * `state.json` written before (all segments inline) loads as it is.
 */
export class TranscodeStateStore {
  /** Files of segments written, by rendition. */
  private readonly filed = new Map<string, number>();

  private constructor(
    private readonly storage: HlsStorage,
    private readonly streamId: string,
  ) {}

  /** The stream's state as last saved (none yet: no runs, no playlists), and the store to save it with. */
  static async load(
    storage: HlsStorage,
    streamId: string,
  ): Promise<{ state: TranscodeState; store: TranscodeStateStore }> {
    const store = new TranscodeStateStore(storage, streamId);
    const raw = await storage.read(`${streamId}/${STATE_KEY}`);
    const saved = raw
      ? (JSON.parse(raw.toString()) as { runs: number; playlists: Record<string, SavedPlaylist> })
      : { runs: 0, playlists: {} };
    const playlists: Record<string, PlaylistState> = {};
    for (const [name, { segmentFiles = 0, ...p }] of Object.entries(saved.playlists)) {
      const filed: PlaylistState['segments'] = [];
      for (let n = 0; n < segmentFiles; n++) {
        const file = await storage.read(store.fileKey(name, n));
        if (!file)
          throw new Error(`${store.fileKey(name, n)} is missing: the transcode state cannot be restored`);
        filed.push(...(JSON.parse(file.toString()) as PlaylistState['segments']));
      }
      store.filed.set(name, segmentFiles);
      playlists[name] = { ...p, segments: [...filed, ...p.segments] };
    }
    return { state: { runs: saved.runs, playlists }, store };
  }

  /**
   * Saves the state: the runs, and each playlist as it is now (a running
   * playlist's own state, not a copy: `LlHlsPlaylist.state`).
   */
  async save(runs: number, playlists: Record<string, Readonly<PlaylistState>>): Promise<void> {
    const entries: string[] = [];
    for (const [name, p] of Object.entries(playlists)) {
      let n = this.filed.get(name) ?? 0;
      // A file holds segments that are not the last: the last may still be listed with its parts.
      for (; (n + 1) * SEGMENTS_PER_FILE < p.segments.length; n++) {
        const segments = p.segments.slice(n * SEGMENTS_PER_FILE, (n + 1) * SEGMENTS_PER_FILE);
        await this.storage.write(this.fileKey(name, n), JSON.stringify(segments));
        this.filed.set(name, n + 1);
      }
      const saved: SavedPlaylist = {
        ...p,
        segments: p.segments.slice(n * SEGMENTS_PER_FILE),
        segmentFiles: n,
      };
      entries.push(`${JSON.stringify(name)}:${JSON.stringify(saved)}`);
    }
    await this.storage.write(
      `${this.streamId}/${STATE_KEY}`,
      `{"runs":${JSON.stringify(runs)},"playlists":{${entries.join(',')}}}`,
    );
  }

  private fileKey(rendition: string, n: number): string {
    return `${this.streamId}/state/${rendition}.${n}.json`;
  }
}
