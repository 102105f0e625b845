import { Global, Module } from '@nestjs/common';
import { AppConfig, loadConfig } from './config';

/** Injection token of the typed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  /** Use an already-validated config (boot validates it before Nest starts). */
  static forRoot(config: AppConfig = loadConfig()) {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
