import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * A folder of files named by keys: the local store behind HLS output and
 * product pictures. Writes are atomic (a reader never sees half a playlist
 * or half a picture); a missing key reads as undefined. Each store says
 * which keys are safe, so no key reaches outside the folder.
 */
export class LocalFolder {
  constructor(
    readonly root: string,
    private readonly isSafeKey: (key: string) => boolean,
  ) {}

  /** The file of a key; throws for a key the store does not accept. */
  localPath(key: string): string {
    if (!this.isSafeKey(key)) throw new Error(`unsafe storage key ${JSON.stringify(key)}`);
    return path.join(this.root, key);
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    const file = this.localPath(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
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

  /** Removes a key's file, or its whole folder (and everything under it). */
  async remove(key: string): Promise<void> {
    await fs.rm(this.localPath(key), { recursive: true, force: true });
  }
}
