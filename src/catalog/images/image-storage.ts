import { LocalFolder } from '../../../media/storage/local-folder';

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

/** Keys are built from ids the database issued, never from a request as such. */
export class LocalImageStorage extends LocalFolder implements ImageStorage {
  constructor(root: string) {
    super(root, (key) => SAFE_KEY.test(key));
  }
}
