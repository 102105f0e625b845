import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Public, Roles } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import { CatalogService } from './catalog.service';
import {
  CreateProductDto,
  ListProductsQueryDto,
  ProductDto,
  ProductPageDto,
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
  @ApiResponse({ status: 201, type: ProductDto })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateProductDto): Promise<ProductDto> {
    return this.catalog.create(user, dto);
  }

  @Public()
  @Get()
  @ApiResponse({ status: 200, type: ProductPageDto })
  list(@Query() q: ListProductsQueryDto): Promise<ProductPageDto> {
    return this.catalog.list(q);
  }

  @Public()
  @Get(':id')
  @ApiResponse({ status: 200, type: ProductDto })
  @ApiResponse({ status: 404 })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ProductDto> {
    return this.catalog.get(id);
  }

  @Roles('merchant')
  @Patch(':id')
  @AcceptsBody({ limit: 64 * 1024 })
  @ApiBearerAuth()
  @ApiResponse({ status: 200, type: ProductDto })
  @ApiResponse({ status: 403, description: 'Not your product' })
  update(
    @CurrentUser() user: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateProductDto,
  ): Promise<ProductDto> {
    return this.catalog.update(user, id, dto);
  }
}
