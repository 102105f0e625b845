import { ensureClientBuild } from './client-build';
import * as os from 'node:os';
import globalSetup from './global-setup';

/**
 * Media tests run real WebRTC stacks, which gather candidates on every
 * interface. They must only ever talk over loopback, so they run inside a
 * loopback-only network namespace (`npm run test:media` sets it up) and
 * refuse to start anywhere else.
 */
export default async function mediaGlobalSetup(): Promise<void> {
  ensureClientBuild();
  const others = Object.entries(os.networkInterfaces())
    .filter(([, addrs]) => (addrs ?? []).some((a) => !a.internal))
    .map(([name]) => name);
  if (others.length > 0) {
    throw new Error(
      `Media tests must run in a loopback-only network namespace (found interfaces: ${others.join(', ')}). ` +
        'Run them with `npm run test:media`.',
    );
  }
  await globalSetup();
}
