// Framework-free: an address as it is kept (a buyer's saved one, or the copy an
// order ships to); the browser reads it through `@shared/profile/address-fields`.

/** Fields a person leaves empty are null. */
export interface AddressFields {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string | null;
  country: string;
  phone: string | null;
}
