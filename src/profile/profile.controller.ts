import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../common/auth/decorators';
import type { AuthUser } from '../common/auth/roles';
import {
  AddressDto,
  AddressListDto,
  CreateAddressDto,
  ProfileDto,
  UpdateAddressDto,
} from './dto/address.dto';
import { MAX_ADDRESSES, ProfileService } from './profile.service';

/** Any signed-in user is a buyer: their profile and saved shipping addresses. */
@ApiTags('profile')
@ApiBearerAuth()
@Controller('api/me')
export class ProfileController {
  constructor(private readonly profile: ProfileService) {}

  @Get('profile')
  @ApiOperation({ summary: 'My buyer profile: name, email (the contact shops see) and saved addresses' })
  @ApiResponse({ status: 200, type: ProfileDto })
  get(@CurrentUser() user: AuthUser): Promise<ProfileDto> {
    return this.profile.profile(user);
  }

  @Get('addresses')
  @ApiOperation({ summary: 'My saved shipping addresses, the default first' })
  @ApiResponse({ status: 200, type: AddressListDto })
  async list(@CurrentUser() user: AuthUser): Promise<AddressListDto> {
    return { items: await this.profile.list(user) };
  }

  @Post('addresses')
  @ApiOperation({ summary: `Save a shipping address (at most ${MAX_ADDRESSES})` })
  @ApiResponse({ status: 201, type: AddressDto })
  @ApiResponse({ status: 409, description: 'Already the most addresses one may save' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateAddressDto): Promise<AddressDto> {
    return this.profile.create(user, dto);
  }

  @Patch('addresses/:id')
  @ApiOperation({ summary: 'Change a saved address, or make it the default' })
  @ApiResponse({ status: 200, type: AddressDto })
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @Body() dto: UpdateAddressDto,
  ): Promise<AddressDto> {
    return this.profile.update(user, id, dto);
  }

  @Delete('addresses/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a saved address (orders keep their own copy)' })
  remove(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<void> {
    return this.profile.remove(user, id);
  }
}
