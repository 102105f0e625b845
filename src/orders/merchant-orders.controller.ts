import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { MerchantOrdersQueryDto, OrderPageDto } from './dto/order.dto';
import { OrdersService } from './orders.service';

/**
 * A shop's orders, under the merchant's URLs but served by the feature that
 * owns orders, so the merchant feature (which streams depends on) does not
 * depend on orders.
 */
@ApiTags('merchant')
@ApiBearerAuth()
@Controller('api/merchant')
export class MerchantOrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Roles('merchant')
  @Get('orders')
  @ApiOperation({
    summary: "My shop's orders, newest first (admins: every shop's)",
    // The id it had when the merchant controller served it: generated clients keep their method name.
    operationId: 'MerchantController_orderList',
  })
  @ApiResponse({ status: 200, type: OrderPageDto })
  orderList(@CurrentUser() user: AuthUser, @Query() q: MerchantOrdersQueryDto): Promise<OrderPageDto> {
    return this.orders.listForMerchant(user, q);
  }
}
