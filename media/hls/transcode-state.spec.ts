import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addParts, liveShow as show } from './fixtures';
import { LlHlsPlaylist, type PlaylistState } from './playlist';
import { LocalHlsStorage } from './storage';
import { SEGMENTS_PER_FILE, TranscodeStateStore } from './transcode-state';

describe('TranscodeStateStore', () => {
  let dir: string;
  let storage: LocalHlsStorage;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-state-'));
    storage = new LocalHlsStorage(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('files closed segments once, keeps state.json small, and loads what it saved', async () => {
    const { state, store } = await TranscodeStateStore.load(storage, 'st');
    expect(state).toEqual({ runs: 0, playlists: {} });
    const pl = show(4 * (2 * SEGMENTS_PER_FILE + 50) + 2);
    const other: PlaylistState = show(9).toJSON();
    await store.save(3, { '720p': pl.state, '360p': other });
    expect(fs.readdirSync(path.join(dir, 'st', 'state')).sort()).toEqual(['720p.0.json', '720p.1.json']);
    expect(fs.statSync(path.join(dir, 'st', 'state.json')).size).toBeLessThan(20_000);

    const files = () =>
      fs
        .readdirSync(path.join(dir, 'st', 'state'))
        .map((f) => fs.statSync(path.join(dir, 'st', 'state', f)).mtimeMs);
    const before = files();
    addParts(pl, 4 * (2 * SEGMENTS_PER_FILE + 50) + 2, 8);
    await store.save(3, { '720p': pl.state, '360p': other });
    // A save after more parts does not write the files again.
    expect(files()).toEqual(before);

    const loaded = await TranscodeStateStore.load(storage, 'st');
    expect(loaded.state).toEqual({ runs: 3, playlists: { '720p': pl.toJSON(), '360p': other } });
    expect(LlHlsPlaylist.restore(loaded.state.playlists['720p']).render()).toBe(pl.render());
  });

  it('loads a state.json that holds every segment (written before files), and files them at its next save', async () => {
    const pl = show(4 * (SEGMENTS_PER_FILE + 10));
    fs.mkdirSync(path.join(dir, 'st'));
    fs.writeFileSync(
      path.join(dir, 'st', 'state.json'),
      JSON.stringify({ runs: 1, playlists: { '720p': pl.toJSON() } }),
    );
    const { state, store } = await TranscodeStateStore.load(storage, 'st');
    expect(state.playlists['720p']).toEqual(pl.toJSON());
    await store.save(2, state.playlists);
    expect(fs.readdirSync(path.join(dir, 'st', 'state'))).toEqual(['720p.0.json']);
    expect((await TranscodeStateStore.load(storage, 'st')).state).toEqual({
      runs: 2,
      playlists: { '720p': pl.toJSON() },
    });
  });

  it('refuses to load a state whose segment file is gone, naming it', async () => {
    const { store } = await TranscodeStateStore.load(storage, 'st');
    await store.save(1, { '720p': show(4 * (SEGMENTS_PER_FILE + 10)).state });
    fs.rmSync(path.join(dir, 'st', 'state', '720p.0.json'));
    await expect(TranscodeStateStore.load(storage, 'st')).rejects.toThrow('st/state/720p.0.json is missing');
  });
});
