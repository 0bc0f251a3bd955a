/**
 * The simulated shop: channels, campaigns with their funnel economics, SKUs and warehouses. Fixed rather
 * than seeded, so "which campaign burns money" and "which SKU sells out" are stable facts tests can name.
 */
export const CHANNELS = ['search', 'feed', 'live', 'social'] as const;
export type Channel = (typeof CHANNELS)[number];

export type CampaignProfile = 'performs' | 'burns_money' | 'marginal';

export interface Campaign {
  id: string;
  profile: CampaignProfile;
  /** Relative share of ad sessions. */
  weight: number;
  channels: Partial<Record<Channel, number>>;
  /** Click probability per impression. */
  ctr: number;
  /** Cost per thousand impressions and per click, in micros. */
  cpmMicros: number;
  cpcMicros: number;
  /** Probability that a click leads to a cart add, and that a cart leads to a checkout. */
  addToCart: number;
  checkout: number;
  /** SKUs the ad shows; a clicked ad adds one of them with probability `featuredShare`. */
  featured: readonly string[];
  featuredShare: number;
}

export const SELLOUT_SKU = 'sku-airfryer-5l';

export const CAMPAIGNS: readonly Campaign[] = [
  {
    id: 'cmp-1111-mega-sale',
    profile: 'performs',
    weight: 3,
    channels: { search: 0.4, feed: 0.4, social: 0.2 },
    ctr: 0.035,
    cpmMicros: 60_000_000,
    cpcMicros: 8_500_000,
    addToCart: 0.16,
    checkout: 0.38,
    featured: ['sku-earbuds-pro', 'sku-power-bank'],
    featuredShare: 0.4,
  },
  {
    id: 'cmp-retarget-cart',
    profile: 'performs',
    weight: 1.5,
    channels: { feed: 0.6, social: 0.4 },
    ctr: 0.05,
    cpmMicros: 70_000_000,
    cpcMicros: 8_400_000,
    addToCart: 0.3,
    checkout: 0.5,
    featured: [],
    featuredShare: 0,
  },
  {
    id: 'cmp-live-flagship',
    profile: 'performs',
    weight: 2,
    channels: { live: 1 },
    ctr: 0.045,
    cpmMicros: 50_000_000,
    cpcMicros: 11_300_000,
    addToCart: 0.2,
    checkout: 0.42,
    featured: [SELLOUT_SKU],
    featuredShare: 0.6,
  },
  {
    id: 'cmp-brand-search',
    profile: 'performs',
    weight: 1,
    channels: { search: 1 },
    ctr: 0.06,
    cpmMicros: 40_000_000,
    cpcMicros: 5_500_000,
    addToCart: 0.18,
    checkout: 0.4,
    featured: [],
    featuredShare: 0,
  },
  {
    id: 'cmp-broad-prospecting',
    profile: 'burns_money',
    weight: 3,
    channels: { feed: 0.5, social: 0.5 },
    ctr: 0.012,
    cpmMicros: 80_000_000,
    cpcMicros: 8_400_000,
    addToCart: 0.06,
    checkout: 0.15,
    featured: ['sku-yoga-mat', 'sku-kettle-1.7l'],
    featuredShare: 0.3,
  },
  {
    id: 'cmp-influencer-seeding',
    profile: 'burns_money',
    weight: 1.5,
    channels: { social: 0.7, live: 0.3 },
    ctr: 0.015,
    cpmMicros: 90_000_000,
    cpcMicros: 11_000_000,
    addToCart: 0.05,
    checkout: 0.2,
    featured: ['sku-serum-30ml', 'sku-lipstick-3g'],
    featuredShare: 0.5,
  },
  {
    id: 'cmp-clearance',
    profile: 'marginal',
    weight: 1,
    channels: { search: 0.5, feed: 0.5 },
    ctr: 0.025,
    cpmMicros: 70_000_000,
    cpcMicros: 4_100_000,
    addToCart: 0.12,
    checkout: 0.3,
    featured: ['sku-tshirt-basic', 'sku-socks-5pack'],
    featuredShare: 0.5,
  },
];

export interface Sku {
  id: string;
  priceMicros: number;
  /** Relative popularity when a shopper picks a SKU on their own. */
  popularity: number;
  /** Empty: stock is reported without a warehouse. */
  warehouses: readonly string[];
}

const TWO_WAREHOUSES = ['wh-east', 'wh-south'] as const;

/** In order of popularity: cheap everyday items fill most baskets, big-ticket items are rare. */
const NAMED_SKUS: readonly [id: string, priceCny: number][] = [
  ['sku-socks-5pack', 29.9],
  ['sku-usb-c-cable', 39.9],
  ['sku-tshirt-basic', 59],
  ['sku-rice-5kg', 69.9],
  [SELLOUT_SKU, 399],
  ['sku-shampoo-750ml', 89],
  ['sku-face-mask-10', 99],
  ['sku-yoga-mat', 119],
  ['sku-kettle-1.7l', 129],
  ['sku-diapers-l-60', 139],
  ['sku-coffee-beans-1kg', 139],
  ['sku-desk-lamp', 159],
  ['sku-power-bank', 179],
  ['sku-backpack-25l', 249],
  ['sku-tea-gift-box', 268],
  ['sku-lipstick-3g', 320],
  ['sku-milk-powder-800g', 328],
  ['sku-serum-30ml', 329],
  ['sku-running-shoes', 599],
  ['sku-earbuds-pro', 899],
  ['sku-down-jacket', 899],
  ['sku-smart-watch', 1299],
  ['sku-robot-vacuum', 1899],
  ['sku-sofa-3seat', 2599],
  ['sku-phone-x12', 3999],
];

export const SKUS: readonly Sku[] = NAMED_SKUS.map(([id, priceCny], i) => ({
  id,
  priceMicros: Math.round(priceCny * 1_000_000),
  // Zipf-like: a few SKUs carry most of the baskets, as in any shop.
  popularity: 1 / (i + 1) ** 0.8,
  warehouses: i % 2 === 0 ? TWO_WAREHOUSES : [],
}));

export const SKU_BY_ID: ReadonlyMap<string, Sku> = new Map(SKUS.map((s) => [s.id, s]));

export const PAYMENT_FAILURE_REASONS = ['card_declined', 'insufficient_funds', 'risk_control_rejected'] as const;
export const INCIDENT_FAILURE_REASONS = ['provider_timeout', 'provider_unavailable'] as const;

/** Share of payment attempts that fail on an ordinary day. */
export const NORMAL_FAILURE_RATE = 0.015;
