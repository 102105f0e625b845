import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** A check that a feature contributes to /health (e.g. the mediasoup worker pool). */
export interface HealthContributor {
  check(indicator: HealthIndicatorService): Promise<HealthIndicatorResult>;
}

/**
 * Features register their checks here at init; the health feature runs them
 * on every /health. A kernel piece, so a feature that contributes a check
 * does not import the health feature.
 */
@Injectable()
export class HealthRegistry {
  readonly contributors: HealthContributor[] = [];
  register(c: HealthContributor): void {
    this.contributors.push(c);
  }
}
