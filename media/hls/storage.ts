import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { LocalFolder } from '../storage/local-folder';

/**
 * Where HLS output lives, keyed by `<streamId>/<file path>`. The local folder
 * is the built-in store; an S3-compatible store can implement the same five
 * calls. Every replica serving `/hls` and every worker must see the same
 * store (with the local folder: one machine or a shared volume).
 */
export interface HlsStorage {
  write(key: string, data: Buffer | string): Promise<void>;
  /** undefined when the key does not exist. */
  read(key: string): Promise<Buffer | undefined>;
  /** Top-level stream folders with their last modification time. */
  listStreams(): Promise<{ streamId: string; modifiedAt: Date }[]>;
  removeStream(streamId: string): Promise<void>;
  /** A local path of a key, for stores that have one (the HTTP layer streams files from it). */
  localPath?(key: string): string;
}

const SAFE_KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

/** Keys come from URLs: no `..`, no absolute paths, no hidden files. */
const isSafeKey = (key: string): boolean =>
  SAFE_KEY.test(key) && !key.split('/').some((p) => p.startsWith('.'));

export class LocalHlsStorage extends LocalFolder implements HlsStorage {
  constructor(root: string) {
    super(root, isSafeKey);
  }

  async listStreams(): Promise<{ streamId: string; modifiedAt: Date }[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.root);
    } catch {
      return [];
    }
    const out: { streamId: string; modifiedAt: Date }[] = [];
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const st = await fs.stat(path.join(this.root, n)).catch(() => undefined);
      if (st?.isDirectory()) out.push({ streamId: n, modifiedAt: st.mtime });
    }
    return out;
  }

  async removeStream(streamId: string): Promise<void> {
    await this.remove(streamId);
  }
}
