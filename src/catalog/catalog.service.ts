import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/roles';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../common/errors/domain-errors';
import { CommerceSignals } from '../room/commerce-signals';
import {
  MAX_STOCK,
  type CreateProductDto,
  type ProductDto,
  type ProductPageDto,
  type UpdateProductDto,
} from './dto/product.dto';
import type { ProductEntity } from './product.entity';
import { ProductsRepository } from './products.repository';

@Injectable()
export class CatalogService {
  constructor(
    private readonly products: ProductsRepository,
    private readonly notifier: CommerceSignals,
  ) {}

  static toDto(p: ProductEntity): ProductDto {
    return {
      id: p.id,
      merchantId: p.merchantId,
      title: p.title,
      description: p.description,
      imageUrl: p.imageUrl,
      priceCents: p.priceCents,
      currency: p.currency,
      stock: p.stock,
      sku: p.sku,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    };
  }

  async create(merchant: AuthUser, dto: CreateProductDto): Promise<ProductDto> {
    const p = await this.products.create({
      merchantId: merchant.id,
      title: dto.title,
      description: dto.description ?? '',
      imageUrl: dto.imageUrl ?? null,
      priceCents: dto.priceCents,
      currency: dto.currency,
      stock: dto.stock,
      sku: dto.sku ?? null,
    });
    return CatalogService.toDto(p);
  }

  async get(id: string): Promise<ProductDto> {
    const p = await this.products.findById(id);
    if (!p) throw new NotFoundError('Product', id);
    return CatalogService.toDto(p);
  }

  async list(q: { merchantId?: string; limit?: number; offset?: number }): Promise<ProductPageDto> {
    const [items, total] = await this.products.list({
      merchantId: q.merchantId,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
    return { items: items.map((p) => CatalogService.toDto(p)), total };
  }

  async update(user: AuthUser, id: string, dto: UpdateProductDto): Promise<ProductDto> {
    const p = await this.products.findById(id);
    if (!p) throw new NotFoundError('Product', id);
    if (p.merchantId !== user.id && !user.roles.includes('admin')) {
      throw new ForbiddenError('Only the merchant who owns this product can change it');
    }
    if (dto.stock !== undefined && dto.stockDelta !== undefined) {
      throw new ValidationError('Send either stock (an absolute number) or stockDelta (a change), not both');
    }
    if (dto.stockDelta !== undefined && dto.stockDelta !== 0) {
      const stock = await this.products.adjustStock(id, dto.stockDelta, MAX_STOCK);
      if (stock === null) {
        const now = (await this.products.findById(id))?.stock ?? 0;
        throw new ConflictError(
          `stockDelta ${dto.stockDelta} would take the stock of product ${id} out of 0..${MAX_STOCK} ` +
            `(${now} now)`,
          'stock_out_of_range',
          { stock: now },
        );
      }
    }
    const updated = await this.products.update(id, {
      ...(dto.title !== undefined && { title: dto.title }),
      ...(dto.description !== undefined && { description: dto.description }),
      ...(dto.imageUrl !== undefined && { imageUrl: dto.imageUrl }),
      ...(dto.priceCents !== undefined && { priceCents: dto.priceCents }),
      ...(dto.currency !== undefined && { currency: dto.currency }),
      ...(dto.stock !== undefined && { stock: dto.stock }),
      ...(dto.sku !== undefined && { sku: dto.sku }),
    });
    // Rooms pinning this product show its units left.
    if (dto.stock !== undefined || dto.stockDelta) this.notifier.stockChanged([id]);
    return CatalogService.toDto(updated!);
  }
}
