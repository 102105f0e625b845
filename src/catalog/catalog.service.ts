import { Inject, Injectable, Logger } from '@nestjs/common';
import { ImageDecodeError, isImageType, resizeImage } from '../../media';
import type { AuthUser } from '../common/auth/roles';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../common/errors/domain-errors';
import { minorUnitExponent } from '../common/money/currencies';
import { labelOf } from '../common/validation/sentences';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { CommerceSignals } from '../room/commerce-signals';
import {
  MAX_STOCK,
  type CreateProductDto,
  type ProductDto,
  type ProductImageDto,
  type ProductPageDto,
  type ShownInDto,
  type UpdateProductDto,
} from './dto/product.dto';
import { IMAGE_STORAGE, type ImageStorage } from './images/image-storage';
import type { ProductEntity } from './product.entity';
import { ProductsRepository, type ProductImageRow } from './products.repository';

/** Most pictures one product may have. */
export const MAX_IMAGES = 10;
/** Longer side of the two stored sizes of a picture. */
export const IMAGE_SIZES = { full: 1200, thumb: 400 } as const;

@Injectable()
export class CatalogService {
  private readonly logger = new Logger('Catalog');

  constructor(
    private readonly products: ProductsRepository,
    private readonly notifier: CommerceSignals,
    @Inject(IMAGE_STORAGE) private readonly images: ImageStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private imageDto(i: ProductImageRow): ProductImageDto {
    const base = `${this.config.http.publicUrl}/images/${i.id}`;
    return {
      id: i.id,
      url: `${base}/full.jpg`,
      thumbnailUrl: `${base}/thumb.jpg`,
      width: i.width,
      height: i.height,
    };
  }

  private toDto(p: ProductEntity, images: ProductImageRow[]): ProductDto {
    const pictures = images.filter((i) => i.productId === p.id).map((i) => this.imageDto(i));
    return {
      id: p.id,
      merchantId: p.merchantId,
      title: p.title,
      description: p.description,
      imageUrl: p.imageUrl ?? pictures[0]?.url ?? null,
      images: pictures,
      priceCents: p.priceCents,
      currency: p.currency,
      currencyDecimals: minorUnitExponent(p.currency) ?? 2,
      stock: p.stock,
      sku: p.sku,
      digital: p.digital,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    };
  }

  private async dto(p: ProductEntity): Promise<ProductDto> {
    return this.toDto(p, await this.products.images([p.id]));
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
      digital: dto.digital ?? false,
    });
    return this.dto(p);
  }

  async get(id: string): Promise<ProductDto> {
    return this.dto(await this.mustFind(id));
  }

  private async mustFind(id: string): Promise<ProductEntity> {
    const p = await this.products.findById(id);
    if (!p) throw new NotFoundError('Product', id);
    return p;
  }

  async list(q: { merchantId?: string; limit?: number; offset?: number }): Promise<ProductPageDto> {
    const [items, total] = await this.products.list({
      merchantId: q.merchantId,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
    const images = await this.products.images(items.map((p) => p.id));
    return { items: items.map((p) => this.toDto(p, images)), total };
  }

  private async owned(user: AuthUser, id: string): Promise<ProductEntity> {
    const p = await this.mustFind(id);
    if (p.merchantId !== user.id && !user.roles.includes('admin')) {
      throw new ForbiddenError('Only the merchant who owns this product can change it.');
    }
    return p;
  }

  async update(user: AuthUser, id: string, dto: UpdateProductDto): Promise<ProductDto> {
    await this.owned(user, id);
    // A PATCH leaves out what it does not change; it cannot blank what a product must have.
    const blanked = (['title', 'priceCents', 'currency', 'stock', 'digital', 'stockDelta'] as const).filter(
      (k) => dto[k] === null,
    );
    if (blanked.length > 0) {
      const problems = blanked.map((k) => `The ${labelOf(k)} cannot be empty; leave it out to keep it.`);
      throw new ValidationError(problems.join(' '), {
        fields: blanked.map((k, i) => ({ field: k, problems: [problems[i]] })),
      });
    }
    if (dto.description === null) dto.description = '';
    if (dto.stock !== undefined && dto.stockDelta !== undefined) {
      throw new ValidationError(
        'Either set the stock to a number or add to it (stock change), not both at once.',
      );
    }
    if (dto.stockDelta !== undefined && dto.stockDelta !== 0) {
      const stock = await this.products.adjustStock(id, dto.stockDelta, MAX_STOCK);
      if (stock === null) {
        const now = (await this.products.findById(id))?.stock ?? 0;
        throw new ConflictError(
          `A change of ${dto.stockDelta} would take the stock (${now} now) out of 0 to ${MAX_STOCK}.`,
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
      ...(dto.digital !== undefined && { digital: dto.digital }),
    });
    // Rooms pinning this product show its units left.
    if (dto.stock !== undefined || dto.stockDelta) this.notifier.stockChanged([id]);
    return this.dto(updated!);
  }

  /**
   * A picture uploaded as the request body: checked to be the picture its
   * type says, stored resized (full and thumbnail JPEGs), and listed after
   * the product's others.
   */
  async addImage(
    user: AuthUser,
    id: string,
    contentType: string | undefined,
    body: unknown,
  ): Promise<ProductDto> {
    await this.owned(user, id);
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (!isImageType(type)) {
      throw new UnsupportedMediaTypeError('Upload the picture as a JPEG, PNG or WebP file.');
    }
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new ValidationError('The upload is empty: send the picture file as the request body.');
    }
    let full: Awaited<ReturnType<typeof resizeImage>>;
    let thumb: Awaited<ReturnType<typeof resizeImage>>;
    try {
      full = await resizeImage(body, type, IMAGE_SIZES.full);
      thumb = await resizeImage(full.jpeg, 'image/jpeg', IMAGE_SIZES.thumb);
    } catch (e) {
      if (e instanceof ImageDecodeError) {
        throw new UnprocessableError(
          'This file could not be read as a picture; upload a JPEG, PNG or WebP image.',
          'image_unreadable',
        );
      }
      throw e;
    }
    const imageId = await this.products.addImage(
      id,
      { width: full.width, height: full.height, bytes: full.jpeg.length },
      MAX_IMAGES,
    );
    if (!imageId) {
      throw new ConflictError(
        `A product can have at most ${MAX_IMAGES} pictures; remove one first.`,
        'too_many_images',
      );
    }
    try {
      await this.images.write(`${imageId}/full.jpg`, full.jpeg);
      await this.images.write(`${imageId}/thumb.jpg`, thumb.jpeg);
    } catch (e) {
      await this.products.removeImage(id, imageId);
      throw e;
    }
    return this.get(id);
  }

  async removeImage(user: AuthUser, id: string, imageId: string): Promise<ProductDto> {
    await this.owned(user, id);
    if (!(await this.products.removeImage(id, imageId))) throw new NotFoundError('Picture', imageId);
    await this.images.remove(imageId).catch((e: unknown) => {
      this.logger.warn(`picture ${imageId} removed, its files not: ${(e as Error).message}`);
    });
    return this.get(id);
  }

  /** The bytes of a stored picture (`full` or `thumb`), or 404. */
  async imageFile(imageId: string, variant: string): Promise<Buffer> {
    if (variant !== 'full.jpg' && variant !== 'thumb.jpg') throw new NotFoundError('Picture');
    const data = await this.images.read(`${imageId}/${variant}`);
    if (!data) throw new NotFoundError('Picture');
    return data;
  }

  /** The streams that showed (pinned) a product, most recent first. */
  async shownIn(id: string): Promise<ShownInDto[]> {
    await this.mustFind(id);
    return (await this.products.shownIn(id, 100)).map((s) => ({
      streamId: s.streamId,
      title: s.title,
      status: s.status,
      startedAt: s.startedAt?.toISOString() ?? null,
      endedAt: s.endedAt?.toISOString() ?? null,
      pins: s.pins,
      firstPinnedAt: s.firstPinnedAt.toISOString(),
      lastPinnedAt: s.lastPinnedAt.toISOString(),
    }));
  }
}
