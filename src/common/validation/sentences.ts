/**
 * What a person reads when a request is refused for its input: a sentence in
 * plain words ("Enter the sale price in whole cents (the currency's minor
 * unit)."), never a field name and a rule (`salePriceCents must be an integer
 * number`). The machine-readable side stays as it was: the error's `code`
 * (`validation_failed`) and `details.fields[].field`, the dotted path of the
 * field (`items.0.quantity`).
 *
 * One mapping for every route: the class-validator pipe (HTTP and the live
 * room) and the Ajv bodies (the order) both pass each failed rule through
 * `toSentence`. A DTO that wants its own words gives a message that does not
 * start with the property's name; it is kept as written.
 */

/** The words for a property, by its name: what the person filled in, not what the code calls it. */
const LABELS: Record<string, string> = {
  action: 'action',
  addressId: 'saved address',
  amountCents: 'refund amount',
  before: 'position in the history',
  carrier: 'carrier',
  city: 'city',
  country: 'country',
  currency: 'currency',
  description: 'description',
  deviceId: 'device id',
  digital: 'digital setting',
  email: 'email',
  endsAt: 'end of the sale',
  events: 'list of events',
  granularity: 'granularity',
  imageUrl: 'image URL',
  items: 'order lines',
  kind: 'reaction',
  limit: 'page size',
  line1: 'first address line',
  line2: 'second address line',
  merchantId: 'shop',
  messageId: 'message',
  minutes: 'number of minutes',
  name: 'name',
  offset: 'page offset',
  orderId: 'order',
  outcome: 'outcome',
  password: 'password',
  perBuyerLimit: 'limit per buyer',
  phone: 'phone number',
  pinId: 'pin',
  postalCode: 'postal code',
  priceCents: 'price',
  productId: 'product',
  quantity: 'quantity',
  region: 'region',
  role: 'role',
  roles: 'roles',
  salePriceCents: 'sale price',
  saleStock: 'number of units on sale',
  seconds: 'number of seconds',
  sku: 'SKU',
  status: 'status',
  stock: 'stock',
  stockDelta: 'stock change',
  streamerId: 'streamer',
  streamId: 'stream',
  text: 'message',
  timeZone: 'time zone',
  title: 'title',
  token: 'sign-in token',
  trackingNumber: 'tracking number',
  trackingUrl: 'tracking link',
  url: 'URL',
  userId: 'user',
  words: 'word list',
};

/** `salePriceCents` → `sale price`, `fooBarId` → `foo bar`: the fallback for names not in LABELS. */
export function labelOf(property: string): string {
  const known = LABELS[property];
  if (known) return known;
  const words = property
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim()
    .split(/\s+/);
  if (words.length > 1 && ['cents', 'id'].includes(words[words.length - 1])) words.pop();
  return words.join(' ') || 'request';
}

/** The rule that failed, named as class-validator names its constraints. */
export type Rule =
  | 'whitelistValidation'
  | 'isDefined'
  | 'isInt'
  | 'isNumber'
  | 'min'
  | 'max'
  | 'isUuid'
  | 'isString'
  | 'isNotEmpty'
  | 'minLength'
  | 'maxLength'
  | 'isEmail'
  | 'isUrl'
  | 'isIn'
  | 'isEnum'
  | 'isBoolean'
  | 'isArray'
  | 'isObject'
  | 'arrayMinSize'
  | 'arrayMaxSize'
  | 'isDateString'
  | 'isIso8601'
  | (string & {});

export interface FailedRule {
  /** Dotted path of the field (`items.0.quantity`); '' for the body itself. */
  field: string;
  /** The rule that failed (a class-validator constraint name). */
  rule: Rule;
  /** The message the rule came with (class-validator's default, or the DTO's own). */
  message: string;
  /** The rule's number (a minimum, a length), when the caller knows it. */
  limit?: number;
  /** The allowed values of an enumeration, when the caller knows them. */
  allowed?: readonly unknown[];
}

const sentence = (s: string): string => {
  const t = s.trim();
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The first number in a message (class-validator's defaults state their limit). */
function numberIn(message: string): number | undefined {
  const m = /(-?\d+(?:\.\d+)?)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** A list of allowed values as class-validator's default states them. */
function allowedIn(message: string): string | undefined {
  return /: (.+)$/.exec(message)?.[1];
}

/**
 * One failed rule as a sentence. A message that does not begin with the
 * property's name is the DTO's own sentence and is kept; otherwise the
 * sentence is made from the rule and the property's label, and where no
 * general sentence fits, the message's leading property name becomes
 * "The <label>".
 */
export function toSentence(f: FailedRule): string {
  const path = f.field.split('.');
  const property = [...path].reverse().find((p) => p !== '' && !/^\d+$/.test(p)) ?? '';
  const label = labelOf(property);
  const own = property === '' || !f.message.trim().startsWith(property);
  const money = /Cents$/.test(property);
  const n = f.limit ?? numberIn(f.message);
  switch (f.rule) {
    case 'whitelistValidation':
      return `“${f.field}” is not something this request accepts; leave it out.`;
    case 'isDefined':
      return sentence(`Enter the ${label}`);
    case 'isUuid':
      return own ? sentence(f.message) : sentence(`That is not a valid ${label} id`);
    case 'nestedValidation':
      return sentence(`The ${label} must be an object with its fields`);
    case 'isInt':
      if (money) return sentence(`Enter the ${label} in whole cents (the currency's minor unit)`);
      if (own) return sentence(f.message);
      return sentence(`The ${label} must be a whole number`);
  }
  if (own) return sentence(f.message);
  const fallback = sentence(f.message.trim().replace(property, `The ${label}`));
  switch (f.rule) {
    case 'isNumber':
      return sentence(`The ${label} must be a number`);
    case 'min':
      if (n === undefined || !/must not be less than|must be at least/.test(f.message)) return fallback;
      return sentence(n === 0 ? `The ${label} must not be negative` : `The ${label} must be at least ${n}`);
    case 'max':
      if (n === undefined || !/must not be greater than|must be at most/.test(f.message)) return fallback;
      return sentence(`The ${label} must be at most ${n}`);
    case 'isString':
      return sentence(`The ${label} must be text`);
    case 'isNotEmpty':
      return sentence(`Enter the ${label}`);
    case 'minLength':
      if (n === undefined) return fallback;
      return sentence(n <= 1 ? `Enter the ${label}` : `The ${label} must be at least ${n} characters long`);
    case 'maxLength':
      if (n === undefined) return fallback;
      return sentence(`The ${label} must be at most ${n} characters long`);
    case 'isEmail':
      return /must be an email$/.test(f.message) ? sentence(`Enter a valid email address`) : fallback;
    case 'isUrl':
      return /must be a URL address$/.test(f.message)
        ? sentence(`Enter the ${label} as a web address starting with https://`)
        : fallback;
    case 'isIn':
    case 'isEnum': {
      const values =
        f.allowed?.map(String).join(', ') ??
        (/one of the following values/.test(f.message) ? allowedIn(f.message) : undefined);
      return values ? sentence(`The ${label} must be one of: ${values}`) : fallback;
    }
    case 'isBoolean':
      return sentence(`The ${label} must be true or false`);
    case 'isArray':
      return sentence(`The ${label} must be a list`);
    case 'isObject':
      return sentence(`The ${label} must be an object`);
    case 'arrayMinSize':
      if (n === undefined) return fallback;
      return sentence(`The ${label} must have at least ${plural(n, 'entry', 'entries')}`);
    case 'arrayMaxSize':
      if (n === undefined) return fallback;
      return sentence(`The ${label} must have at most ${plural(n, 'entry', 'entries')}`);
    case 'isDateString':
    case 'isIso8601':
      return sentence(`Enter the ${label} as a date and time, such as 2026-05-01T18:00:00Z`);
    default:
      return fallback;
  }
}

/** Sentences of a whole request, one after the other. */
export function joinSentences(sentences: string[]): string {
  return [...new Set(sentences)].join(' ');
}
