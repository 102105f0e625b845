import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Where product pictures live, keyed by `<imageId>/<variant>.jpg`. The local
 * folder (DATA_DIR/images) is the built-in store; like HLS storage
 * (media/hls/storage.ts), an object store can implement the same calls, and
 * every replica must see the same store.
 */
export interface ImageStorage {
  write(key: string, data: Buffer): Promise<void>;
  /** undefined when the key does not exist. */
  read(key: string): Promise<Buffer | undefined>;
  /** Removes every file of one image. */
  remove(imageId: string): Promise<void>;
}

export const IMAGE_STORAGE = Symbol('IMAGE_STORAGE');

const SAFE_KEY = /^[0-9a-f-]{36}(\/(full|thumb)\.jpg)?$/;

export class LocalImageStorage implements ImageStorage {
  constructor(readonly root: string) {}

  private file(key: string): string {
    // Keys are built from ids the database issued, never from a request as such.
    if (!SAFE_KEY.test(key)) throw new Error(`unsafe image key ${JSON.stringify(key)}`);
    return path.join(this.root, key);
  }

  async write(key: string, data: Buffer): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.file(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async remove(imageId: string): Promise<void> {
    await fs.rm(this.file(imageId), { recursive: true, force: true });
  }
}
