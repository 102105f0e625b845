import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module';
import { CatalogModule } from './catalog/catalog.module';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { dataSourceOptions } from './database/data-source';
import { HealthModule } from './health/health.module';
import { HlsModule } from './hls/hls.module';
import { InfraModule } from './infra/infra.module';
import { IngestModule } from './ingest/ingest.module';
import { MerchantModule } from './merchant/merchant.module';
import { MetricsModule } from './metrics/metrics.module';
import { OrdersModule } from './orders/orders.module';
import { PaymentsModule } from './payments/payments.module';
import { PinsModule } from './pins/pins.module';
import { ProfileModule } from './profile/profile.module';
import { ReportsModule } from './reports/reports.module';
import { RoomModule } from './room/room.module';
import { StreamsModule } from './streams/streams.module';
import { LiveModule } from './live/live.module';
import { WebModule } from './web/web.module';

export interface AppModuleOptions {
  config: AppConfig;
  /** Resolved database URL: DATABASE_URL, or the embedded server's. */
  databaseUrl: string;
}

@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot({
          ...dataSourceOptions(databaseUrl, config.database.poolSize),
          // Each feature module registers its entities with TypeOrmModule.forFeature.
          autoLoadEntities: true,
        }),
        DatabaseModule,
        InfraModule,
        RoomModule,
        MetricsModule,
        HealthModule,
        AuthModule,
        CatalogModule,
        StreamsModule,
        IngestModule,
        PinsModule,
        ProfileModule,
        OrdersModule,
        PaymentsModule,
        MerchantModule,
        LiveModule,
        ReportsModule,
        HlsModule,
        WebModule,
      ],
    };
  }
}
