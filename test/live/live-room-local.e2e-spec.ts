import { liveRoomCoreSuite } from './core-suite';

describe('live room in one process (no Redis)', () => {
  liveRoomCoreSuite({ redis: false });
});
