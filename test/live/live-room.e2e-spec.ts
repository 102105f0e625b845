import { liveRoomCoreSuite } from './core-suite';

describe('live room over Redis (pub/sub, shared state, socket.io adapter)', () => {
  liveRoomCoreSuite({ redis: true });
});
