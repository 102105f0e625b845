import { Body, Controller, Get, Headers, HttpCode, Post, Put, Query, Res } from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../common/http/answers';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import type { FastifyReply } from 'fastify';
import { ConfirmsUser, CurrentUser, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { JsonSchemaPipe } from '../common/validation/json-schema';
import { CREATE_ORDER_SCHEMA, type CreateOrderBody } from './dto/create-order.schema';
import {
  FulfilOrderDto,
  ListMyOrdersQueryDto,
  OrderDetailDto,
  OrderDto,
  OrderPageDto,
  SetShippingDto,
} from './dto/order.dto';
import { OrdersService } from './orders.service';
import { AcceptsBody } from '../common/http/body-options';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('api/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @ConfirmsUser()
  @AcceptsBody({ limit: 32 * 1024 })
  @Endpoint(
    {
      summary: 'Place an order: reserves the units until it is paid or its hold expires',
      description:
        'Prices and totals are computed on the server. With `streamId`, the pinned product sells at its ' +
        'flash-sale price inside the sale window, from the sale stock, within the per-buyer limit.',
    },
    {
      201: [OrderDto, 'Order created'],
      200: [OrderDto, 'Same key and body as an earlier request: that order'],
      409: 'Out of stock, sold out or over the per-buyer limit (names the product)',
      422: 'Key reused with another body; unknown product; mixed currencies',
      429: 'Too many orders',
    },
  )
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description: 'Reuse it on retries of the same order',
  })
  @ApiBody({ schema: CREATE_ORDER_SCHEMA as unknown as SchemaObject })
  async create(
    @CurrentUser() user: AuthUser,
    @Headers('idempotency-key') key: string | undefined,
    @Body(new JsonSchemaPipe<CreateOrderBody>(CREATE_ORDER_SCHEMA)) body: CreateOrderBody,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<OrderDto> {
    const { order, created } = await this.orders.create(user, key, body);
    res.status(created ? 201 : 200);
    return order;
  }

  @Get()
  @Endpoint('My orders, newest first (admins without mine=1: everyone’s)', { 200: OrderPageDto })
  list(@CurrentUser() user: AuthUser, @Query() q: ListMyOrdersQueryDto): Promise<OrderPageDto> {
    return this.orders.listMine(user, q);
  }

  @Get(':id')
  @Endpoint('One order with its buyer, shipping, payments and timeline (its buyer, its shop or an admin)', {
    200: OrderDetailDto,
    404: null,
  })
  get(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<OrderDetailDto> {
    return this.orders.get(user, id);
  }

  @Put(':id/shipping')
  @Endpoint(
    {
      summary: 'Where an unpaid order ships: a saved address (addressId) or one entered now (address, save?)',
      description: 'The order keeps a copy. Needed before paying when some item is not digital.',
    },
    {
      200: OrderDetailDto,
      404: 'Not your order, or not your saved address',
      409: 'The order is no longer waiting for payment',
    },
  )
  setShipping(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @Body() dto: SetShippingDto,
  ): Promise<OrderDetailDto> {
    return this.orders.setShipping(user, id, dto);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Endpoint('Cancel an unpaid order (its buyer); the units return to stock', {
    200: OrderDetailDto,
    409: 'Not pending payment',
  })
  cancel(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<OrderDetailDto> {
    return this.orders.cancel(user, id);
  }

  @Roles('merchant')
  @Post(':id/fulfil')
  @HttpCode(200)
  @Endpoint('Mark a paid order shipped (its shop), with the carrier and tracking the buyer will see', {
    200: OrderDetailDto,
    409: 'Not paid',
  })
  fulfil(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @Body() dto: FulfilOrderDto,
  ): Promise<OrderDetailDto> {
    return this.orders.fulfil(user, id, dto ?? {});
  }
}
