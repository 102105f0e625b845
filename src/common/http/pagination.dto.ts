import { ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_OFFSET, QueryInt } from '../validation/fields';

export class PageQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 })
  @QueryInt(1, 200)
  limit?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: MAX_OFFSET })
  @QueryInt(0, MAX_OFFSET)
  offset?: number;
}
