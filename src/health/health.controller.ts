import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorFunction,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import type Redis from 'ioredis';
import { Public } from '../common/auth/decorators';
import { HealthRegistry } from '../infra/health-registry';
import { REDIS } from '../infra/infra.module';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicator: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis | null,
    private readonly registry: HealthRegistry,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  check() {
    const checks: HealthIndicatorFunction[] = [() => this.db.pingCheck('database', { timeout: 3000 })];
    const redis = this.redis;
    if (redis) {
      checks.push(async () => {
        const i = this.indicator.check('redis');
        try {
          await Promise.race([
            redis.ping(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000)),
          ]);
          return i.up();
        } catch (e) {
          return i.down({ message: e instanceof Error ? e.message : String(e) });
        }
      });
    }
    for (const c of this.registry.contributors) checks.push(() => c.check(this.indicator));
    return this.health.check(checks);
  }
}
