import { deltaUpdate, readPlaylist, type HlsStorage, type PlaylistSummary } from '../../media';
import type { WriteFollower } from './hls.constants';

/** Playlists whose last version is kept (a few per live stream). */
const KEPT = 512;
/**
 * How long a read of a playlist answers the requests that come after it
 * (ms), unless its next write is announced sooner: as long as a held
 * request waits between two reads of its file (BlockingReads), so an
 * announcement lost costs what it costs there.
 */
export const TRUSTED_MS = 50;

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

/** A read of a playlist from the store, and whether a write was announced after it began. */
interface StoreRead {
  startedAt: number;
  overtaken: boolean;
  data: Promise<Buffer | undefined>;
}

/** Drops the entry used longest ago once `map` holds more than KEPT (a Map iterates in insertion order). */
function setKept<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > KEPT) map.delete(map.keys().next().value!);
}

/**
 * The last version of each playlist, read from the store once for all the
 * requests that ask for it meanwhile. Every viewer of a live stream asks
 * for the same playlist several times a second, and reading a playlist
 * means reading the whole show so far: here a read answers the requests of
 * the next TRUSTED_MS, or until the store announces a new write of it
 * (see AnnouncedWrites), and each version is parsed once, however many
 * viewers look.
 */
export class PlaylistVersions implements WriteFollower {
  private readonly kept = new Map<string, PlaylistVersion>();
  private readonly reads = new Map<string, StoreRead>();

  constructor(
    private readonly storage: HlsStorage,
    private readonly trustedMs = TRUSTED_MS,
  ) {}

  /** The current version of `key`, or undefined when it does not exist. */
  async read(key: string): Promise<PlaylistVersion | undefined> {
    let r = this.reads.get(key);
    if (!r || r.overtaken || performance.now() - r.startedAt >= this.trustedMs) {
      const read: StoreRead = {
        startedAt: performance.now(),
        overtaken: false,
        // A failed read is not kept: the next request reads again.
        data: this.storage.read(key).catch((e: unknown) => {
          if (this.reads.get(key) === read) this.reads.delete(key);
          throw e;
        }),
      };
      setKept(this.reads, key, (r = read));
    }
    const data = await r.data;
    return data && this.of(key, data);
  }

  /** The version of `key` whose bytes are `data`. */
  of(key: string, data: Buffer): PlaylistVersion {
    const last = this.kept.get(key);
    if (last && (last.data === data || last.data.equals(data))) return last;
    const version = new PlaylistVersion(data);
    setKept(this.kept, key, version);
    return version;
  }

  /** `key` was written: the requests from now on read it again. */
  written(key: string): void {
    const r = this.reads.get(key);
    if (r) r.overtaken = true;
  }
}
