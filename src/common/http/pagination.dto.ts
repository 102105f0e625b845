import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { stacked } from '../validation/stacked';

/** `limit`: how many items a page holds, 1 to 200 (50 when absent). */
export const PageLimit = (): PropertyDecorator =>
  stacked(
    ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(200),
  );

/** `offset`: how many items to skip (0 when absent). */
export const PageOffset = (): PropertyDecorator =>
  stacked(
    ApiPropertyOptional({ default: 0, minimum: 0 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(0),
  );

export class PageQueryDto {
  @PageLimit()
  limit?: number;

  @PageOffset()
  offset?: number;
}
