import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { CurrentUser, Public, Roles } from '../common/auth/decorators';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { preferredType } from '../common/http/http-platform';
import type { AuthUser } from '../common/auth/roles';
import { toCsv } from '../common/http/csv';
import {
  GmvQueryDto,
  GmvReportDto,
  MerchantSettingsDto,
  StreamListDto,
  StreamListQueryDto,
  StreamReportDto,
  StreamReportQueryDto,
  StreamSummaryDto,
} from './dto/reports.dto';
import type { Audience, GmvReport, ProductLine, Sales, StreamReport } from './report-views';
import { ReportsService } from './reports.service';

/** JSON unless the client prefers text/csv (then the same numbers as CSV). */
function wantsCsv(req: Request): boolean {
  return preferredType(req.headers.accept, ['application/json', 'text/csv']) === 'text/csv';
}

type Cell = string | number | null;
type Pinned = Pick<ProductLine, 'pinnedSeconds' | 'pins' | 'pinnedGmvCents' | 'pinnedOrders' | 'pinnedUnits'>;

// The column groups the CSV reports share: each header beside the cells that fill it.
const SALES = ['gmv_cents', 'paid_cents', 'net_cents', 'orders', 'units', 'buyers'];
const sales = (s: Sales): Cell[] => [s.gmvCents, s.paidCents, s.netCents, s.orders, s.units, s.buyers];
const AUDIENCE = ['aov_cents', 'peak_viewers', 'unique_viewers', 'conversion'];
const audience = (s: Audience): Cell[] => [s.aovCents, s.peakViewers, s.uniqueViewers, s.conversion];
const PINNED = ['pinned_seconds', 'pins', 'pinned_gmv_cents', 'pinned_orders', 'pinned_units'];
const pinned = (p: Pinned): Cell[] => [
  p.pinnedSeconds,
  p.pins,
  p.pinnedGmvCents,
  p.pinnedOrders,
  p.pinnedUnits,
];
/** Empty cells under the columns of a group a row does not have. */
const blank = (group: string[]): Cell[] => group.map(() => null);

export function gmvCsv(r: GmvReport): string {
  return toCsv(
    ['start', 'currency', ...SALES],
    r.buckets.map((b) => [b.start, r.currency, ...sales(b)]),
  );
}

/** One table: the stream's row, then one row per product (its pinned time and pinned GMV beside it). */
export function streamCsv(r: StreamReport): string {
  return toCsv(
    ['kind', 'stream_id', 'product_id', 'title', 'currency', ...SALES, ...AUDIENCE, ...PINNED],
    [
      ['stream', r.streamId, null, r.title, r.currency, ...sales(r), ...audience(r), ...blank(PINNED)],
      ...r.topProducts.map((p) => [
        'product',
        r.streamId,
        p.productId,
        p.title,
        r.currency,
        ...sales(p),
        ...blank(AUDIENCE),
        ...pinned(p),
      ]),
    ],
  );
}

export function streamListCsv(r: StreamListDto): string {
  return toCsv(
    ['stream_id', 'title', 'status', 'started_at', 'currency', ...SALES, ...AUDIENCE],
    r.items.map((s) => [s.streamId, s.title, s.status, s.startedAt, s.currency, ...sales(s), ...audience(s)]),
  );
}

/** The report as JSON, or as CSV (a string body with its own type) when the client prefers it. */
function send<T>(req: Request, res: Response, body: T, csv: (b: T) => string, name: string): T | string {
  res.header('Vary', 'Accept');
  if (!wantsCsv(req)) return body;
  res.type('text/csv; charset=utf-8');
  res.header('Content-Disposition', `attachment; filename="${name}.csv"`);
  return csv(body);
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller()
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Roles('merchant', 'admin')
  @Get('api/reports/gmv')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'GMV, paid and net GMV, orders, units and buyers per bucket (zero rows included)',
  })
  @ApiResponse({ status: 200, type: GmvReportDto })
  @ApiResponse({ status: 400, description: 'A bad parameter (named), a range too long, or currency needed' })
  @ApiResponse({ status: 403, description: "Another merchant's stream or shop" })
  async gmv(
    @CurrentUser() user: AuthUser,
    @Query() q: GmvQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<GmvReport | string> {
    return send(req, res, await this.reports.gmv(user, q), gmvCsv, 'gmv');
  }

  @Roles('merchant', 'admin')
  @Get('api/reports/streams')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary: 'My streams, newest first, with GMV, orders, units, buyers, AOV, viewers and conversion',
  })
  @ApiResponse({ status: 200, type: StreamListDto })
  async streams(
    @CurrentUser() user: AuthUser,
    @Query() q: StreamListQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamListDto | string> {
    return send(req, res, { items: await this.reports.streams(user, q) }, streamListCsv, 'streams');
  }

  @Roles('merchant', 'admin')
  @Get('api/reports/streams/:id')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({
    summary:
      'One stream: GMV, orders, buyers, AOV, viewers, conversion, products with pinned time vs pinned GMV',
  })
  @ApiResponse({ status: 200, type: StreamReportDto })
  @ApiResponse({ status: 403, description: "Another merchant's stream" })
  async stream(
    @CurrentUser() user: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() q: StreamReportQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamReport | string> {
    return send(req, res, await this.reports.stream(user, id, q.currency), streamCsv, `stream-${id}`);
  }

  @Roles('merchant')
  @Get('api/merchant/settings')
  @ApiOperation({ summary: 'My report settings (time zone)' })
  @ApiResponse({ status: 200, type: MerchantSettingsDto })
  settings(@CurrentUser() user: AuthUser): Promise<MerchantSettingsDto> {
    return this.reports.settings(user);
  }

  @Roles('merchant')
  @Put('api/merchant/settings')
  @ApiOperation({ summary: 'Set the time zone of report buckets (rebuilds my hour and day buckets)' })
  @ApiResponse({ status: 200, type: MerchantSettingsDto })
  @ApiResponse({ status: 400, description: 'timeZone is not an IANA time zone' })
  setSettings(@CurrentUser() user: AuthUser, @Body() dto: MerchantSettingsDto): Promise<MerchantSettingsDto> {
    return this.reports.setTimeZone(user, dto.timeZone);
  }
}

/**
 * A stream's final figures under the stream's URL, served by reports (which
 * reads the audience and the sales rollups), so streams does not depend on
 * reports.
 */
@ApiTags('streams')
@Controller('api/streams')
export class StreamSummaryController {
  constructor(
    private readonly reports: ReportsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get(':id/summary')
  @ApiOperation({
    summary:
      'A stream’s figures: audience (peak and unique viewers, likes), duration, replay; sales for its ' +
      'streamer, shop and admins',
  })
  @ApiResponse({ status: 200, type: StreamSummaryDto })
  @ApiResponse({ status: 404 })
  summary(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentUser() user?: AuthUser,
  ): Promise<StreamSummaryDto> {
    return this.reports.summary(user, id, this.config.http.publicUrl);
  }
}
