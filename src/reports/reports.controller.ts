import {
  applyDecorators,
  Body,
  Controller,
  createParamDecorator,
  Get,
  Inject,
  Put,
  Query,
  type ExecutionContext,
} from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../common/http/answers';
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

/** Answers a report route: the report as JSON, or as CSV (a string body with its own type) when the client prefers it. */
type ReportAnswer = <T>(body: T, csv: (b: T) => string, name: string) => T | string;

/** The route's {@link ReportAnswer}, bound to its request and reply. */
const JsonOrCsv = createParamDecorator((_: unknown, ctx: ExecutionContext): ReportAnswer => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const res = ctx.switchToHttp().getResponse<Response>();
  return (body, csv, name) => {
    res.header('Vary', 'Accept');
    if (!wantsCsv(req)) return body;
    res.type('text/csv; charset=utf-8');
    res.header('Content-Disposition', `attachment; filename="${name}.csv"`);
    return csv(body);
  };
});

/** A report: merchants' and admins', as JSON or CSV (see {@link JsonOrCsv}). */
const Report = (path: string) =>
  applyDecorators(Roles('merchant', 'admin'), Get(path), ApiProduces('application/json', 'text/csv'));

@ApiTags('reports')
@ApiBearerAuth()
@Controller()
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Report('api/reports/gmv')
  @Endpoint('GMV, paid and net GMV, orders, units and buyers per bucket (zero rows included)', {
    200: GmvReportDto,
    400: 'A bad parameter (named), a range too long, or currency needed',
    403: "Another merchant's stream or shop",
  })
  async gmv(
    @CurrentUser() user: AuthUser,
    @Query() q: GmvQueryDto,
    @JsonOrCsv() answer: ReportAnswer,
  ): Promise<GmvReport | string> {
    return answer(await this.reports.gmv(user, q), gmvCsv, 'gmv');
  }

  @Report('api/reports/streams')
  @Endpoint('My streams, newest first, with GMV, orders, units, buyers, AOV, viewers and conversion', {
    200: StreamListDto,
  })
  async streams(
    @CurrentUser() user: AuthUser,
    @Query() q: StreamListQueryDto,
    @JsonOrCsv() answer: ReportAnswer,
  ): Promise<StreamListDto | string> {
    return answer({ items: await this.reports.streams(user, q) }, streamListCsv, 'streams');
  }

  @Report('api/reports/streams/:id')
  @Endpoint(
    'One stream: GMV, orders, buyers, AOV, viewers, conversion, products with pinned time vs pinned GMV',
    { 200: StreamReportDto, 403: "Another merchant's stream" },
  )
  async stream(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @Query() q: StreamReportQueryDto,
    @JsonOrCsv() answer: ReportAnswer,
  ): Promise<StreamReport | string> {
    return answer(await this.reports.stream(user, id, q.currency), streamCsv, `stream-${id}`);
  }

  @Roles('merchant')
  @Get('api/merchant/settings')
  @Endpoint('My report settings (time zone)', { 200: MerchantSettingsDto })
  settings(@CurrentUser() user: AuthUser): Promise<MerchantSettingsDto> {
    return this.reports.settings(user);
  }

  @Roles('merchant')
  @Put('api/merchant/settings')
  @Endpoint('Set the time zone of report buckets (rebuilds my hour and day buckets)', {
    200: MerchantSettingsDto,
    400: 'timeZone is not an IANA time zone',
  })
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
  @Endpoint(
    'A stream’s figures: audience (peak and unique viewers, likes), duration, replay; sales for its ' +
      'streamer, shop and admins',
    { 200: StreamSummaryDto, 404: null },
  )
  summary(@UuidParam() id: string, @CurrentUser() user?: AuthUser): Promise<StreamSummaryDto> {
    return this.reports.summary(user, id, this.config.http.publicUrl);
  }
}
