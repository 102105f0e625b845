import { Body, Controller, Delete, Get, Headers, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { Answers, Endpoint } from '../common/http/answers';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Public, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { CatalogService, IMAGE_SIZES, MAX_IMAGES } from './catalog.service';
import {
  CreateProductDto,
  ListProductsQueryDto,
  ProductDto,
  ProductPageDto,
  ShownInListDto,
  UpdateProductDto,
} from './dto/product.dto';
import { AcceptsBody } from '../common/http/body-options';

@ApiTags('catalog')
@Controller('api/products')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Roles('merchant')
  @Post()
  @AcceptsBody({ limit: 64 * 1024 })
  @ApiBearerAuth()
  @Answers({ 201: ProductDto })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateProductDto): Promise<ProductDto> {
    return this.catalog.create(user, dto);
  }

  @Public()
  @Get()
  @Answers({ 200: ProductPageDto })
  list(@Query() q: ListProductsQueryDto): Promise<ProductPageDto> {
    return this.catalog.list(q);
  }

  @Public()
  @Get(':id')
  @Answers({ 200: ProductDto, 404: null })
  get(@UuidParam() id: string): Promise<ProductDto> {
    return this.catalog.get(id);
  }

  @Public()
  @Get(':id/streams')
  @Endpoint('The streams that showed (pinned) this product, most recent first', { 200: ShownInListDto })
  async shownIn(@UuidParam() id: string): Promise<ShownInListDto> {
    return { items: await this.catalog.shownIn(id) };
  }

  @Roles('merchant')
  @Patch(':id')
  @AcceptsBody({ limit: 64 * 1024 })
  @ApiBearerAuth()
  @Answers({ 200: ProductDto, 403: 'Not your product' })
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @Body() dto: UpdateProductDto,
  ): Promise<ProductDto> {
    return this.catalog.update(user, id, dto);
  }

  @Roles('merchant')
  @Post(':id/images')
  @AcceptsBody({ named: 'image', consumes: ['image/jpeg', 'image/png', 'image/webp'] })
  @ApiBearerAuth()
  @Endpoint(
    {
      summary: 'Upload a picture: the file is the request body (image/jpeg, image/png or image/webp)',
      description:
        `Stored resized as JPEGs (at most ${IMAGE_SIZES.full} px and ${IMAGE_SIZES.thumb} px on the longer side); ` +
        `at most ${MAX_IMAGES} per product; larger than PRODUCT_IMAGE_MAX_BYTES → 413.`,
    },
    {
      201: ProductDto,
      409: 'The product already has the most pictures it may have',
      413: 'The file is larger than PRODUCT_IMAGE_MAX_BYTES',
      415: 'Not a JPEG, PNG or WebP upload',
      422: 'The file is not a readable picture of its type',
    },
  )
  @ApiConsumes('image/jpeg', 'image/png', 'image/webp')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  addImage(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
  ): Promise<ProductDto> {
    return this.catalog.addImage(user, id, contentType, body);
  }

  @Roles('merchant')
  @Delete(':id/images/:imageId')
  @ApiBearerAuth()
  @Endpoint('Remove a picture', { 200: ProductDto })
  removeImage(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @UuidParam('imageId') imageId: string,
  ): Promise<ProductDto> {
    return this.catalog.removeImage(user, id, imageId);
  }
}

/** Stored product pictures: never change once written (a new upload has a new id), so cached forever. */
@Controller('images')
export class ProductImagesController {
  constructor(private readonly catalog: CatalogService) {}

  @Public()
  @Get(':imageId/:variant')
  @ApiExcludeEndpoint()
  async file(
    @UuidParam('imageId') imageId: string,
    @Param('variant') variant: string,
    @Res() res: FastifyReply,
  ): Promise<void> {
    const data = await this.catalog.imageFile(imageId, variant);
    void res
      .headers({
        'Content-Type': 'image/jpeg',
        'Cache-Control': 'public, max-age=31536000, immutable',
        'X-Content-Type-Options': 'nosniff',
      })
      .send(data);
  }
}
