import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  type RawBodyRequest,
} from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../common/http/answers';
import type { FastifyRequest } from 'fastify';
import { CurrentUser, Public, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { NotFoundError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { OrderDetailDto, RefundOrderDto } from '../orders/dto/order.dto';
import {
  CheckoutDto,
  SimulatedPayDto,
  SimulatedPayResultDto,
  SimulatedSessionDto,
  WebhookResultDto,
} from './dto/payment.dto';
import { PaymentsService } from './payments.service';
import { SimulatedPaymentProvider } from './simulated.provider';
import { AcceptsBody } from '../common/http/body-options';

@ApiTags('payments')
@Controller('api/payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Authenticated by its HMAC signature, not by a user token. */
  @Public()
  @Post('webhook')
  @AcceptsBody({ limit: 64 * 1024 })
  @HttpCode(200)
  @Endpoint(
    {
      summary: 'Payment provider webhook (HMAC-SHA256 signed: X-Signature: t=<unix>,v1=<hex>)',
      description: 'Unsigned or wrongly signed → 401. A replayed event id → 200 and nothing changes.',
    },
    { 200: WebhookResultDto, 401: null },
  )
  webhook(@Req() req: RawBodyRequest<FastifyRequest>): Promise<WebhookResultDto> {
    return this.payments.handleWebhook(req.rawBody, req.headers);
  }

  @Public()
  @Get('providers')
  @Endpoint('The configured payment provider')
  providers(): { providers: string[] } {
    return { providers: [this.payments.provider.name] };
  }

  // The simulated provider's own "hosted checkout" API. The session id (144
  // random bits, given only to the buyer) is the capability, as with a real
  // gateway's checkout link.

  @Public()
  @Get('simulated/sessions/:sessionId')
  @ApiExcludeEndpoint()
  session(@Param('sessionId') sessionId: string): Promise<SimulatedSessionDto> {
    this.simulated();
    return this.payments.session(sessionId);
  }

  @Public()
  @Post('simulated/sessions/:sessionId/pay')
  @HttpCode(200)
  @ApiExcludeEndpoint()
  async pay(
    @Param('sessionId') sessionId: string,
    @Body() dto: SimulatedPayDto,
    @Req() req: FastifyRequest,
  ): Promise<SimulatedPayResultDto> {
    const provider = this.simulated();
    const s = await this.payments.session(sessionId);
    const { body, signature } = provider.buildEvent(
      { sessionId, orderId: s.orderId, amountCents: s.amountCents, currency: s.currency },
      dto.outcome ?? 'succeed',
    );
    // The provider calls the shop back over HTTP, as a real gateway would; on
    // loopback, at the port this request came in on.
    const wildcard = ['0.0.0.0', '::', ''].includes(this.config.http.host);
    const host = wildcard ? '127.0.0.1' : this.config.http.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${req.socket.localPort}/api/payments/webhook`;
    const webhookStatus = await provider.deliver(url, body, signature);
    const after = await this.payments.session(sessionId);
    return {
      webhookStatus,
      orderStatus: after.orderStatus,
      paymentStatus: after.paymentStatus,
      returnUrl: after.returnUrl,
    };
  }

  private simulated(): SimulatedPaymentProvider {
    const p = this.payments.provider;
    if (!(p instanceof SimulatedPaymentProvider)) throw new NotFoundError('Simulated checkout');
    return p;
  }
}

@ApiTags('orders')
@ApiBearerAuth()
@Controller('api/orders')
export class OrderPaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post(':id/pay')
  @HttpCode(200)
  @Endpoint("Start paying an unpaid order (its buyer): returns the provider's checkout URL", {
    200: CheckoutDto,
    409: 'Not pending payment, or its hold expired',
  })
  pay(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<CheckoutDto> {
    return this.payments.startCheckout(user, id);
  }

  @Roles('merchant')
  @Post(':id/refund')
  @HttpCode(200)
  @Endpoint(
    {
      summary:
        'Give money back on a paid or fulfilled order (its shop): all that is left, or amountCents of it',
      description:
        'All that is left on a paid order (not shipped) moves it to refunded and returns its units to stock. ' +
        'A part, or any refund of a fulfilled order, gives money only; the order keeps its status.',
    },
    { 200: OrderDetailDto, 409: 'Not paid or fulfilled; more than is left to refund' },
  )
  refund(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @Body() dto: RefundOrderDto,
  ): Promise<OrderDetailDto> {
    return this.payments.refund(user, id, dto?.amountCents);
  }
}
