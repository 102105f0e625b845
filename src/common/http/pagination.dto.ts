import type { Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_OFFSET, QueryInt } from '../validation/fields';
import { stacked } from '../validation/stacked';

/** `limit`: how many items a page holds, 1 to 200 (50 when absent). */
export const PageLimit = (): PropertyDecorator =>
  stacked(ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }), QueryInt(1, 200));

/** `offset`: how many items to skip, at most MAX_OFFSET (0 when absent). */
export const PageOffset = (): PropertyDecorator =>
  stacked(ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_OFFSET }), QueryInt(0, MAX_OFFSET));

export class PageQueryDto {
  @PageLimit()
  limit?: number;

  @PageOffset()
  offset?: number;
}

/** A response of every `item` there is: `class WebhookListDto extends ListOf(WebhookDto) {}`. */
export function ListOf<T>(item: Type<T>) {
  class List {
    @ApiProperty({ type: [item] }) items!: T[];
  }
  return List;
}

/** One page of `item`s and how many there are in all: `class OrderPageDto extends PageOf(OrderViewDto) {}`. */
export function PageOf<T>(item: Type<T>) {
  class Page {
    @ApiProperty({ type: [item] }) items!: T[];
    @ApiProperty() total!: number;
  }
  return Page;
}
