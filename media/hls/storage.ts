import * as fs from 'node:fs/promises';
import * as path from 'node:path';

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

export class LocalHlsStorage implements HlsStorage {
  constructor(readonly root: string) {}

  localPath(key: string): string {
    // Keys come from URLs: no `..`, no absolute paths, no hidden files.
    if (!SAFE_KEY.test(key) || key.split('/').some((p) => p.startsWith('.'))) {
      throw new Error(`unsafe storage key ${JSON.stringify(key)}`);
    }
    return path.join(this.root, key);
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    const file = this.localPath(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Readers never see a half-written playlist or segment.
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.localPath(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
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
    await fs.rm(this.localPath(streamId), { recursive: true, force: true });
  }
}
