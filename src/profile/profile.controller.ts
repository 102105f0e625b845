import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { UuidParam } from '../common/http/params';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Endpoint } from '../common/http/answers';
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
  @Endpoint('My buyer profile: name, email (the contact shops see) and saved addresses', { 200: ProfileDto })
  get(@CurrentUser() user: AuthUser): Promise<ProfileDto> {
    return this.profile.profile(user);
  }

  @Get('addresses')
  @Endpoint('My saved shipping addresses, the default first', { 200: AddressListDto })
  async list(@CurrentUser() user: AuthUser): Promise<AddressListDto> {
    return { items: await this.profile.list(user) };
  }

  @Post('addresses')
  @Endpoint(`Save a shipping address (at most ${MAX_ADDRESSES})`, {
    201: AddressDto,
    409: 'Already the most addresses one may save',
  })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateAddressDto): Promise<AddressDto> {
    return this.profile.create(user, dto);
  }

  @Patch('addresses/:id')
  @Endpoint('Change a saved address, or make it the default', { 200: AddressDto })
  update(
    @CurrentUser() user: AuthUser,
    @UuidParam() id: string,
    @Body() dto: UpdateAddressDto,
  ): Promise<AddressDto> {
    return this.profile.update(user, id, dto);
  }

  @Delete('addresses/:id')
  @HttpCode(204)
  @Endpoint('Remove a saved address (orders keep their own copy)')
  remove(@CurrentUser() user: AuthUser, @UuidParam() id: string): Promise<void> {
    return this.profile.remove(user, id);
  }
}
