import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, MaxLength } from 'class-validator';
import { ListOf, PageOf, PageQueryDto } from '../../common/http/pagination.dto';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../webhook-events';

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://shop.example.com/hooks/livecart', description: 'http(s) only' })
  @IsString()
  @MaxLength(2000)
  url!: string;

  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, example: ['order.paid', 'order.refunded'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @IsIn(WEBHOOK_EVENTS, { each: true, message: `events must each be one of ${WEBHOOK_EVENTS.join(', ')}` })
  events!: WebhookEvent[];
}

export class WebhookDto {
  @ApiProperty() id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true }) events!: WebhookEvent[];
  @ApiProperty() createdAt!: string;
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({ description: 'HMAC-SHA256 signing secret; shown only in this response' })
  secret!: string;
}

export class WebhookListDto extends ListOf(WebhookDto) {}

export class DeliveryDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'order.paid' }) event!: string;
  @ApiProperty({ example: 'order.paid:6f1c…' }) eventId!: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional({ nullable: true, type: Number }) lastStatusCode!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) deliveredAt!: string | null;
  @ApiProperty({ description: 'The JSON body that is (or was) POSTed' }) payload!: unknown;
}

export class DeliveryPageDto extends PageOf(DeliveryDto) {}

/** A page of deliveries: `limit` and `offset` as every listing takes them. */
export class DeliveriesQueryDto extends PageQueryDto {}
