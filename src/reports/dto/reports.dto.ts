import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { stacked } from '../../common/validation/stacked';
import { GRANULARITIES } from '../report-views';

/** An optional report currency: three capitals (ISO 4217); `description` says when it is required. */
const CurrencyQuery = (description: string): PropertyDecorator =>
  stacked(
    ApiPropertyOptional({ example: 'USD', description }),
    IsOptional(),
    Matches(/^[A-Z]{3}$/, { message: 'currency must be a 3-letter ISO 4217 code in capitals' }),
  );

/** An optional id that narrows a report. */
const IdQuery = (field: string, description: string): PropertyDecorator =>
  stacked(
    ApiPropertyOptional({ description }),
    IsOptional(),
    IsUUID('all', { message: `${field} must be a UUID` }),
  );

export class GmvQueryDto {
  @ApiPropertyOptional({
    description: 'Start (ISO 8601), rounded down to its bucket. Default: `to` minus 3 h / 2 days / 30 days',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  from?: string;

  @ApiPropertyOptional({ description: 'End (ISO 8601, exclusive). Default: now' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string;

  @ApiPropertyOptional({
    enum: GRANULARITIES,
    default: 'day',
    description: 'At most 7 days by the minute, 92 by the hour, 1100 by the day',
  })
  @IsOptional()
  @IsIn(GRANULARITIES, { message: `granularity must be one of ${GRANULARITIES.join(', ')}` })
  granularity?: string;

  @IdQuery('streamId', 'Only orders placed in this stream')
  streamId?: string;

  @IdQuery(
    'productId',
    'Only this product: its lines (amount, units) and the orders and buyers that bought it',
  )
  productId?: string;

  @CurrencyQuery('Required when the range has sales in several currencies')
  currency?: string;

  @IdQuery('merchantId', 'Admins: whose shop (merchants always see their own)')
  merchantId?: string;
}

export class StreamReportQueryDto {
  @CurrencyQuery('Required when the stream sold in several currencies')
  currency?: string;
}

export class GmvBucketDto {
  @ApiProperty({
    description: "Bucket start (ISO 8601, UTC) — a minute, or an hour or day in the merchant's time zone",
  })
  start!: string;
  @ApiProperty({ description: 'Orders placed, every status but expired (minor units)' }) gmvCents!: number;
  @ApiProperty({ description: 'Of those, orders that were paid (paid, fulfilled or later refunded)' })
  paidCents!: number;
  @ApiProperty({ description: 'Paid minus refunded' }) netCents!: number;
  @ApiProperty() orders!: number;
  @ApiProperty() units!: number;
  @ApiProperty({ description: 'Distinct buyers in this bucket' }) buyers!: number;
}

export class GmvReportDto {
  @ApiProperty() merchantId!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: 'America/Los_Angeles' }) timeZone!: string;
  @ApiProperty({ enum: GRANULARITIES }) granularity!: string;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) streamId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) productId!: string | null;
  @ApiProperty({ type: [GmvBucketDto] }) buckets!: GmvBucketDto[];
}

/** What was sold, in one currency (minor units): the figures the reports share. */
class SalesDto {
  @ApiProperty() gmvCents!: number;
  @ApiProperty() paidCents!: number;
  @ApiProperty() netCents!: number;
  @ApiProperty() orders!: number;
  @ApiProperty() units!: number;
  @ApiProperty() buyers!: number;
}

/** What a stream's audience bought. */
class AudienceDto {
  @ApiProperty() aovCents!: number;
  @ApiProperty() peakViewers!: number;
  @ApiProperty() uniqueViewers!: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'buyers / unique viewers' }) conversion!:
    number | null;
}

class ProductRefDto {
  @ApiProperty() productId!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) title!: string | null;
}

class PinnedSalesDto {
  @ApiProperty({ description: 'Seconds pinned in this stream' }) pinnedSeconds!: number;
  @ApiProperty() pins!: number;
  @ApiProperty({ description: 'GMV of this product from orders placed while it was pinned' })
  pinnedGmvCents!: number;
  @ApiProperty() pinnedOrders!: number;
  @ApiProperty() pinnedUnits!: number;
}

/** A product of a stream report: what it sold, and what it sold while pinned. */
export class ProductLineDto extends IntersectionType(ProductRefDto, SalesDto, PinnedSalesDto) {}

class StreamRefDto {
  @ApiProperty() streamId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() status!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty() currency!: string;
}

/** A stream's line in the stream list: its figures in one currency. */
export class StreamRowDto extends IntersectionType(StreamRefDto, SalesDto, AudienceDto) {}

/** One stream's report: its line of the stream list, with its shop, its end, its currencies and its products. */
export class StreamReportDto extends StreamRowDto {
  @ApiPropertyOptional({ nullable: true, type: String }) merchantId!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({ type: [String] }) currencies!: string[];
  @ApiProperty({ type: [ProductLineDto] }) topProducts!: ProductLineDto[];
}

export class MerchantSettingsDto {
  @ApiProperty({ example: 'Asia/Kolkata', description: 'IANA time zone of report buckets; default UTC' })
  @IsString()
  @MaxLength(64)
  timeZone!: string;
}

export class StreamListQueryDto {
  @CurrencyQuery('Required when the streams sold in several currencies')
  currency?: string;

  @IdQuery('merchantId', 'Admins: whose streams')
  merchantId?: string;
}

export class StreamListDto {
  @ApiProperty({ type: [StreamRowDto] }) items!: StreamRowDto[];
}

export class StreamSalesDto {
  @ApiProperty() currency!: string;
  @ApiProperty() gmvCents!: number;
  @ApiProperty() paidCents!: number;
  @ApiProperty({ description: 'Paid less every refund' }) netCents!: number;
  @ApiProperty() orders!: number;
  @ApiProperty() units!: number;
  @ApiProperty() buyers!: number;
}

export class ReplayInfoDto {
  @ApiProperty({ description: 'Ended, and its recording is kept: hlsUrl plays it' }) available!: boolean;
  @ApiProperty() hlsUrl!: string;
  @ApiProperty({ nullable: true, type: String }) posterUrl!: string | null;
}

export class StreamSummaryDto {
  @ApiProperty({ format: 'uuid' }) streamId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ['created', 'live', 'reconnecting', 'ended'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) endedAt!: string | null;
  @ApiProperty({ description: 'From start to end (to now while live)' }) durationSeconds!: number;
  @ApiProperty({ description: 'Most viewers watching at once' }) peakViewers!: number;
  @ApiProperty({ description: 'Distinct viewers over the whole stream' }) uniqueViewers!: number;
  @ApiProperty() likes!: number;
  @ApiProperty({ type: ReplayInfoDto }) replay!: ReplayInfoDto;
  @ApiProperty({
    type: [StreamSalesDto],
    nullable: true,
    description: 'Per currency; only for its streamer, its shop and admins (null for others)',
  })
  sales!: StreamSalesDto[] | null;
}
