import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { ConflictError } from '../common/errors/domain-errors';
import { ProductEntity } from './product.entity';

export type NewProduct = Pick<
  ProductEntity,
  'merchantId' | 'title' | 'description' | 'imageUrl' | 'priceCents' | 'currency' | 'stock' | 'sku'
>;

function rethrowUnique(e: unknown): never {
  if (e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505') {
    throw new ConflictError('This SKU is already used by another of your products', 'sku_taken');
  }
  throw e;
}

@Injectable()
export class ProductsRepository {
  constructor(@InjectRepository(ProductEntity) private readonly repo: Repository<ProductEntity>) {}

  async create(p: NewProduct): Promise<ProductEntity> {
    try {
      return await this.repo.save(this.repo.create(p));
    } catch (e) {
      rethrowUnique(e);
    }
  }

  findById(id: string): Promise<ProductEntity | null> {
    return this.repo.findOneBy({ id });
  }

  async list(opts: {
    merchantId?: string;
    limit: number;
    offset: number;
  }): Promise<[ProductEntity[], number]> {
    return this.repo.findAndCount({
      where: opts.merchantId ? { merchantId: opts.merchantId } : {},
      order: { createdAt: 'DESC', id: 'ASC' },
      take: opts.limit,
      skip: opts.offset,
    });
  }

  async update(id: string, patch: Partial<NewProduct>): Promise<ProductEntity | null> {
    try {
      if (Object.keys(patch).length > 0) await this.repo.update({ id }, patch);
    } catch (e) {
      rethrowUnique(e);
    }
    return this.findById(id);
  }

  /**
   * Adds `delta` to the stock in one conditional statement (concurrent
   * reservations keep their decrements); null when the result would leave
   * 0..max, and nothing changes then.
   */
  async adjustStock(id: string, delta: number, max: number): Promise<number | null> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [{ stock: number }[], number] = await this.repo.query(
      `UPDATE products SET stock = stock + $2, updated_at = now()
       WHERE id = $1 AND stock + $2 BETWEEN 0 AND $3 RETURNING stock`,
      [id, delta, max],
    );
    return rows[0]?.stock ?? null;
  }

  async countByMerchant(merchantId: string): Promise<number> {
    return this.repo.countBy({ merchantId });
  }
}
