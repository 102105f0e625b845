import { testPicture } from './fixtures';
import { ImageDecodeError, jpegSize, resizeArgs, resizeImage } from './resize';

describe('product image resizing', () => {
  it('reads only a pipe, with the declared decoder and a pixel limit, and writes one bounded JPEG', () => {
    const args = resizeArgs('image/png', 1200);
    expect(args.slice(args.indexOf('-protocol_whitelist'), args.indexOf('-protocol_whitelist') + 2)).toEqual([
      '-protocol_whitelist',
      'pipe',
    ]);
    expect(args).toEqual(expect.arrayContaining(['-f', 'image2pipe', '-c:v', 'png', '-i', 'pipe:0']));
    expect(args).toContain('-max_pixels');
    expect(args.join(' ')).toContain(
      "scale=w='min(1200,iw)':h='min(1200,ih)':force_original_aspect_ratio=decrease",
    );
    expect(args.slice(-7)).toEqual(['-f', 'image2', '-c:v', 'mjpeg', '-q:v', '3', 'pipe:1']);
  });

  it('shrinks a large picture keeping its proportions, and refuses what is not a picture', async () => {
    const png = testPicture('1600x900');
    const out = await resizeImage(png, 'image/png', 400);
    expect({ width: out.width, height: out.height }).toEqual({ width: 400, height: 225 });
    expect(jpegSize(out.jpeg)).toEqual({ width: 400, height: 225 });
    const small = await resizeImage(out.jpeg, 'image/jpeg', 1200);
    expect(small.width).toBe(400);
    await expect(
      resizeImage(Buffer.from('#EXTM3U\nfile:///etc/passwd\n'), 'image/png', 400),
    ).rejects.toBeInstanceOf(ImageDecodeError);
  });
});
