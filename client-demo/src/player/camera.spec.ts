import { cameraConstraints, orientationOf } from './camera';

describe('cameraConstraints', () => {
  it('asks for 1280x720 in landscape and 720x1280 (9:16) in portrait', () => {
    expect(cameraConstraints('landscape')).toEqual({ width: 1280, height: 720, aspectRatio: 16 / 9 });
    expect(cameraConstraints('portrait')).toEqual({ width: 720, height: 1280, aspectRatio: 9 / 16 });
  });

  it('asks for exactly the chosen camera', () => {
    expect(cameraConstraints('portrait', 'cam-2')).toMatchObject({
      deviceId: { exact: 'cam-2' },
      width: 720,
    });
  });
});

describe('orientationOf', () => {
  it('reads portrait, and anything else (nothing stored, an old value) as landscape', () => {
    expect(orientationOf('portrait')).toBe('portrait');
    expect(orientationOf('landscape')).toBe('landscape');
    expect(orientationOf(null)).toBe('landscape');
    expect(orientationOf('sideways')).toBe('landscape');
  });
});
