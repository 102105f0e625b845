import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../common/http/answers';
import { CurrentUser, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { toCsv } from '../common/http/csv';
import { MerchantOrdersQueryDto, OrderPageDto } from './dto/order.dto';
import { OrdersService } from './orders.service';

/** The columns of the fulfilment CSV, one line per item of a paid order. */
export const TO_FULFIL_COLUMNS = [
  'order_id',
  'paid_at',
  'buyer_name',
  'buyer_email',
  'ship_to_name',
  'line1',
  'line2',
  'city',
  'region',
  'postal_code',
  'country',
  'phone',
  'product_id',
  'sku',
  'title',
  'quantity',
  'digital',
  'order_total',
  'currency',
];

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
  @Endpoint(
    {
      summary: "My shop's orders, newest first, with buyer, shipping and fulfilment (admins: every shop's)",
      // The id it had when the merchant controller served it: generated clients keep their method name.
      operationId: 'MerchantController_orderList',
    },
    { 200: OrderPageDto },
  )
  orderList(@CurrentUser() user: AuthUser, @Query() q: MerchantOrdersQueryDto): Promise<OrderPageDto> {
    return this.orders.listForMerchant(user, q);
  }

  @Roles('merchant')
  @Get('orders/to-fulfil.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="orders-to-fulfil.csv"')
  @Header('Cache-Control', 'no-store')
  @Endpoint({
    summary: 'Paid orders waiting to be shipped, as CSV: one line per item, oldest payment first',
    description: `Columns: ${TO_FULFIL_COLUMNS.join(', ')}. Amounts in minor units. Cells that a spreadsheet would evaluate (=, +, -, @) are quoted.`,
  })
  @ApiProduces('text/csv')
  async toFulfil(@CurrentUser() user: AuthUser): Promise<string> {
    const lines = await this.orders.toFulfil(user);
    return toCsv(
      TO_FULFIL_COLUMNS,
      lines.map((l) => [
        l.orderId,
        l.paidAt.toISOString(),
        l.buyerName,
        l.buyerEmail,
        l.shipping?.name,
        l.shipping?.line1,
        l.shipping?.line2,
        l.shipping?.city,
        l.shipping?.region,
        l.shipping?.postalCode,
        l.shipping?.country,
        l.shipping?.phone,
        l.productId,
        l.sku,
        l.title,
        l.quantity,
        l.digital ? 'yes' : 'no',
        l.totalCents,
        l.currency,
      ]),
    );
  }
}
