import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/roles';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors/domain-errors';
import type {
  AddressDto,
  AddressInputDto,
  CreateAddressDto,
  ProfileDto,
  UpdateAddressDto,
} from './dto/address.dto';
import type { AddressFields } from './address-fields';
import { AddressesRepository, type AddressRow } from './addresses.repository';

/** Most saved addresses per buyer. */
export const MAX_ADDRESSES = 20;

export const toAddressDto = (a: AddressRow): AddressDto => ({
  id: a.id,
  name: a.name,
  line1: a.line1,
  line2: a.line2,
  city: a.city,
  region: a.region,
  postalCode: a.postalCode,
  country: a.country,
  phone: a.phone,
  isDefault: a.isDefault,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});

/** An address as entered, with its optional parts unset rather than absent. */
export function addressFields(a: AddressInputDto): AddressFields {
  return {
    name: a.name,
    line1: a.line1,
    line2: a.line2 ?? null,
    city: a.city,
    region: a.region ?? null,
    postalCode: a.postalCode ?? null,
    country: a.country,
    phone: a.phone ?? null,
  };
}

const REQUIRED: { key: keyof AddressFields; sentence: string }[] = [
  { key: 'name', sentence: 'Enter the name of the person who receives the parcel.' },
  { key: 'line1', sentence: 'Enter the street address.' },
  { key: 'city', sentence: 'Enter the city.' },
  { key: 'country', sentence: 'Choose the country from the list.' },
];

/** The buyer profile: who the shop sees on an order, and the saved shipping addresses. */
@Injectable()
export class ProfileService {
  constructor(private readonly addresses: AddressesRepository) {}

  async profile(user: AuthUser): Promise<ProfileDto> {
    const u = await this.addresses.user(user.id);
    if (!u) throw new NotFoundError('Account');
    return { ...u, addresses: (await this.addresses.list(user.id)).map(toAddressDto) };
  }

  async list(user: AuthUser): Promise<AddressDto[]> {
    return (await this.addresses.list(user.id)).map(toAddressDto);
  }

  /** One of the buyer's saved addresses, or 404 (another buyer's is as unknown as none). */
  async mine(user: AuthUser, id: string): Promise<AddressRow> {
    const a = await this.addresses.find(user.id, id);
    if (!a) throw new NotFoundError('Saved address', id);
    return a;
  }

  async create(user: AuthUser, dto: CreateAddressDto): Promise<AddressDto> {
    const a = await this.addresses.create(user.id, addressFields(dto), dto.isDefault ?? false, MAX_ADDRESSES);
    if (!a) {
      throw new ConflictError(
        `You can save at most ${MAX_ADDRESSES} addresses; remove one first.`,
        'too_many_addresses',
      );
    }
    return toAddressDto(a);
  }

  async update(user: AuthUser, id: string, dto: UpdateAddressDto): Promise<AddressDto> {
    // A partial update may leave out a required part, but not blank it.
    const blanked = REQUIRED.filter((r) => (dto as Record<string, unknown>)[r.key] === null);
    if (blanked.length > 0) {
      throw new ValidationError(blanked.map((b) => b.sentence).join(' '), {
        fields: blanked.map((b) => ({ field: b.key, problems: [b.sentence] })),
      });
    }
    if ((dto as { isDefault?: unknown }).isDefault === null) {
      throw new ValidationError('The default setting must be true or false.', {
        fields: [{ field: 'isDefault', problems: ['The default setting must be true or false.'] }],
      });
    }
    const patch: Partial<AddressFields> = {};
    for (const k of ['name', 'line1', 'line2', 'city', 'region', 'postalCode', 'country', 'phone'] as const) {
      if (dto[k] !== undefined) patch[k] = dto[k] as never;
    }
    const a = await this.addresses.update(user.id, id, patch, dto.isDefault === true ? true : undefined);
    if (!a) throw new NotFoundError('Saved address', id);
    return toAddressDto(a);
  }

  async remove(user: AuthUser, id: string): Promise<void> {
    if (!(await this.addresses.remove(user.id, id))) throw new NotFoundError('Saved address', id);
  }
}
