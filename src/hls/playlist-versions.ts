import { deltaUpdate, readPlaylist, type PlaylistSummary } from '../../media';

/** Playlists whose last version is kept (a few per live stream). */
const KEPT = 512;

/** One version of a media playlist as stored: its bytes, what it holds, and its delta update. */
export class PlaylistVersion {
  readonly summary: PlaylistSummary;
  private readonly text: string;
  private skipped?: Buffer;

  constructor(readonly data: Buffer) {
    // Byte for byte (playlists are ASCII), and faster than UTF-8.
    this.text = data.toString('latin1');
    this.summary = readPlaylist(this.text);
  }

  /** Its Playlist Delta Update (`_HLS_skip`), made on first ask. */
  get delta(): Buffer {
    this.skipped ??= Buffer.from(deltaUpdate(this.text), 'latin1');
    return this.skipped;
  }
}

/**
 * The last version read of each playlist. Every viewer of a live stream asks
 * for the same playlist several times a second, and every request held for a
 * blocking reload looks at each new read of it; reading a playlist means
 * reading the whole show so far. Here it is read once per version, however
 * many viewers look.
 */
export class PlaylistVersions {
  private readonly kept = new Map<string, PlaylistVersion>();

  /** The version of `key` whose bytes are `data`. */
  of(key: string, data: Buffer): PlaylistVersion {
    const last = this.kept.get(key);
    if (last && (last.data === data || last.data.equals(data))) return last;
    const version = new PlaylistVersion(data);
    this.kept.delete(key);
    this.kept.set(key, version);
    if (this.kept.size > KEPT) this.kept.delete(this.kept.keys().next().value!);
    return version;
  }
}
