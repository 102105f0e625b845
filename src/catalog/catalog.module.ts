import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { CatalogController, ProductImagesController } from './catalog.controller';
import { CatalogService } from './catalog.service';
import { IMAGE_STORAGE, LocalImageStorage } from './images/image-storage';
import { ProductEntity } from './product.entity';
import { ProductsRepository } from './products.repository';

@Module({
  imports: [TypeOrmModule.forFeature([ProductEntity])],
  controllers: [CatalogController, ProductImagesController],
  providers: [
    ProductsRepository,
    CatalogService,
    {
      provide: IMAGE_STORAGE,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => new LocalImageStorage(c.catalog.imagesDir),
    },
  ],
  exports: [CatalogService, ProductsRepository],
})
export class CatalogModule {}
