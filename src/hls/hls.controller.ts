import { Controller, Get, Header, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../common/http/answers';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { partMayAppear, satisfies, type HlsStorage } from '../../media';
import { Public } from '../common/auth/decorators';
import { BadRequestError, MissingError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { StreamsService } from '../streams/streams.service';
import { BlockingReads } from './blocking-reads';
import { HLS_STORAGE } from './hls.constants';
import { HlsService } from './hls.service';
import { PlaylistVersions } from './playlist-versions';

const PLAYLIST = 'application/vnd.apple.mpegurl';
const NO_CACHE = 'no-cache';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const RENDITION = /^[A-Za-z0-9_-]{1,32}$/;
/**
 * How long a first request for a live stream's playlist is held until the
 * playlist exists (and can be started on): the transcode's start-up. Below
 * hls.js's 10 s time to first byte of a playlist, so a player gets the
 * playlist rather than a timeout, and far fewer than a player retrying 404s.
 */
const START_WAIT_MS = 8000;
/**
 * A preload-hinted part is held for six parts' time, and never less than this (ms): with short
 * parts, six of them are less than a loaded ffmpeg may be late.
 */
const PRELOAD_WAIT_MIN_MS = 2000;

/** A 400 naming the parameter unless `value` matches `pattern`. */
function mustMatch(value: string, pattern: RegExp, message: string, code: string): void {
  if (!pattern.test(value)) throw new BadRequestError(message, code);
}

const mustBeRendition = (rendition: string) =>
  mustMatch(rendition, RENDITION, 'rendition must be a rendition name like 720p', 'invalid_rendition');

function nonNegativeInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d{1,9}$/.test(raw))
    throw new BadRequestError(`${name} must be a non-negative integer`, 'invalid_query');
  return Number(raw);
}

/**
 * LL-HLS delivery: `/hls/<streamId>/master.m3u8`, each rendition's playlist
 * with blocking reload (`_HLS_msn`, `_HLS_part`), parts, segments, init
 * segments and the poster. Playlists are never cached; media files are
 * immutable (their names are never reused: runs have their own folder).
 */
@ApiTags('hls')
@Controller()
export class HlsController {
  constructor(
    private readonly hls: HlsService,
    private readonly streams: StreamsService,
    @Inject(HLS_STORAGE) private readonly storage: HlsStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reads: BlockingReads,
    private readonly playlists: PlaylistVersions,
  ) {}

  private async send(res: Response, key: string, type: string, cache: string, what: string): Promise<void> {
    const data = await this.storage.read(key);
    if (!data) throw new MissingError(`${what} not found`, 'hls_not_found');
    void res.header('Content-Type', type).header('Cache-Control', cache).send(data);
  }

  /**
   * Whether the stream's playlists are about to appear: it is live and HLS is on. Its first
   * playlists are then worth waiting for; anything else is 404 at once.
   */
  private async comingUp(id: string): Promise<boolean> {
    if (!this.config.hls.enabled) return false;
    return (await this.streams.mustFind(id)).status === 'live';
  }

  @Public()
  @Get('hls/:streamId/master.m3u8')
  @Endpoint({
    summary: 'HLS master playlist (a variant per rendition)',
    description:
      'For a live stream whose transcode is starting, the request is held until the playlist exists.',
  })
  async master(@UuidParam('streamId') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const key = `${id}/master.m3u8`;
    let data = await this.storage.read(key);
    if (!data && (await this.comingUp(id))) data = await this.reads.wait(req.ip, key, START_WAIT_MS);
    if (!data) throw new MissingError(`HLS of stream ${id} not found`, 'hls_not_found');
    void res.header('Content-Type', PLAYLIST).header('Cache-Control', NO_CACHE).send(data);
  }

  @Public()
  @Get('hls/:streamId/poster.jpg')
  @Endpoint('Poster JPEG, refreshed every few seconds while live')
  async poster(@UuidParam('streamId') id: string, @Res() res: Response): Promise<void> {
    await this.send(res, `${id}/poster.jpg`, 'image/jpeg', 'public, max-age=2', `poster of stream ${id}`);
  }

  @Public()
  @Get('hls/:streamId/:rendition/index.m3u8')
  @Endpoint('Media playlist with LL-HLS blocking reload (_HLS_msn, _HLS_part) and delta updates (_HLS_skip)')
  async media(
    @UuidParam('streamId') id: string,
    @Param('rendition') rendition: string,
    @Query('_HLS_msn') msnRaw: string | undefined,
    @Query('_HLS_part') partRaw: string | undefined,
    @Query('_HLS_skip') skipRaw: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    mustBeRendition(rendition);
    const msn = nonNegativeInt('_HLS_msn', msnRaw);
    const part = nonNegativeInt('_HLS_part', partRaw);
    if (part !== undefined && msn === undefined)
      throw new BadRequestError('_HLS_part needs _HLS_msn', 'invalid_query');
    // RFC 8216bis 6.2.5.1: YES skips old segments; v2 also old EXT-X-DATERANGE tags, which these
    // playlists do not have, so it is the same update.
    if (skipRaw !== undefined && skipRaw !== 'YES' && skipRaw !== 'v2')
      throw new BadRequestError('_HLS_skip must be YES or v2', 'invalid_query');
    const key = `${id}/${rendition}/index.m3u8`;
    const version = (data: Buffer) => this.playlists.of(key, data);
    let playlist = await this.playlists.read(key);
    // A first request (no _HLS_msn) while the transcode starts: held until a player can start on
    // the playlist (it holds PART-HOLD-BACK of media), for a rendition the master lists.
    if (msn === undefined && !playlist?.summary.startable && (await this.comingUp(id))) {
      const master = (await this.storage.read(`${id}/master.m3u8`))?.toString();
      if (master === undefined || master.includes(`\n${rendition}/index.m3u8`)) {
        const ready = (data: Buffer) => version(data).summary.startable;
        const data =
          (await this.reads.wait(req.ip, key, START_WAIT_MS, ready)) ?? (await this.storage.read(key));
        if (data) playlist = version(data);
      }
    }
    if (playlist === undefined)
      throw new MissingError(`rendition ${rendition} of stream ${id} not found`, 'hls_not_found');
    if (msn !== undefined) {
      const pos = playlist.summary;
      // RFC 8216bis 6.2.5.2: more than two segments ahead is a client error.
      if (msn > pos.lastMsn + 2 && !pos.ended) {
        throw new BadRequestError(
          `_HLS_msn ${msn} is too far ahead of the playlist (at ${pos.lastMsn})`,
          'invalid_query',
        );
      }
      if (!satisfies(pos, msn, part)) {
        const waitMs = 3 * this.config.hls.partsPerSegment * this.config.hls.partMs;
        const ready = (data: Buffer) => satisfies(version(data).summary, msn, part);
        const data = await this.reads.wait(req.ip, key, waitMs, ready);
        if (data) playlist = version(data);
      }
    }
    void res
      .header('Content-Type', PLAYLIST)
      .header('Cache-Control', NO_CACHE)
      .send(skipRaw === undefined ? playlist.data : playlist.delta);
  }

  @Public()
  @Get('hls/:streamId/:rendition/:file')
  @Endpoint('A complete segment (the concatenation of its parts)')
  async segment(
    @UuidParam('streamId') id: string,
    @Param('rendition') rendition: string,
    @Param('file') file: string,
    @Res() res: Response,
  ): Promise<void> {
    mustBeRendition(rendition);
    mustMatch(file, /^s\d{1,9}\.m4s$/, 'file must be a segment name like s12.m4s', 'invalid_file');
    await this.send(res, `${id}/${rendition}/${file}`, 'video/iso.segment', IMMUTABLE, `segment ${file}`);
  }

  @Public()
  @Get('hls/:streamId/:rendition/:run/:file')
  @Endpoint('A part or the init segment of one transcode run')
  async part(
    @UuidParam('streamId') id: string,
    @Param('rendition') rendition: string,
    @Param('run') run: string,
    @Param('file') file: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    mustBeRendition(rendition);
    mustMatch(run, /^r\d{1,6}$/, 'run must look like r1', 'invalid_run');
    const init = file === 'init.mp4';
    if (!init && !/^p\d{1,9}\.m4s$/.test(file))
      throw new BadRequestError('file must be init.mp4 or a part like p3.m4s', 'invalid_file');
    const key = `${id}/${rendition}/${run}/${file}`;
    const type = init ? 'video/mp4' : 'video/iso.segment';
    let data = await this.storage.read(key);
    // A preload-hinted part is requested before it exists: hold the request until it does,
    // but only for a part the rendition's live playlist is about to list. Unknown streams,
    // other runs and parts long gone or far ahead are 404 at once.
    if (!data && !init) {
      const playlist = await this.playlists.read(`${id}/${rendition}/index.m3u8`);
      if (playlist && partMayAppear(playlist.summary, `${run}/${file}`)) {
        data = await this.reads.wait(req.ip, key, Math.max(6 * this.config.hls.partMs, PRELOAD_WAIT_MIN_MS));
      }
    }
    if (!data) throw new MissingError(`${run}/${file} not found`, 'hls_not_found');
    void res.header('Content-Type', type).header('Cache-Control', IMMUTABLE).send(data);
  }

  @Public()
  @Get('api/streams/:id/hls')
  @Header('Cache-Control', 'no-cache')
  @Endpoint('HLS transcode progress: state, segments, speed, lag behind live, renditions', {
    200: 'Progress of the stream transcode',
    404: 'No such stream',
  })
  async progress(@UuidParam() id: string) {
    const stream = await this.streams.mustFind(id);
    const status = await this.hls.progress(id);
    return {
      streamStatus: stream.status,
      masterUrl: `${this.config.http.publicUrl}/hls/${id}/master.m3u8`,
      posterUrl: `${this.config.http.publicUrl}/hls/${id}/poster.jpg`,
      ...(status ?? { streamId: id, state: 'none' }),
    };
  }
}
