/**
 * The four input streams and the topics that carry them. Every topic name in the project comes
 * from here, so an environment prefix (e.g. `staging.`) applies everywhere at once.
 */
export const STREAMS = ['click', 'cart', 'payment', 'inventory'] as const;
export type Stream = (typeof STREAMS)[number];

export interface TopicNames {
  readonly click: string;
  readonly cart: string;
  readonly payment: string;
  readonly inventory: string;
  /** Rejected messages, with reason and source coordinates. */
  readonly deadLetter: string;
}

export function topicNames(prefix = ''): TopicNames {
  return {
    click: `${prefix}ecom.clicks`,
    cart: `${prefix}ecom.cart`,
    payment: `${prefix}ecom.payments`,
    inventory: `${prefix}ecom.inventory`,
    deadLetter: `${prefix}ecom.dead-letter`,
  };
}

export const DEFAULT_TOPICS = topicNames();

export function streamOfTopic(topics: TopicNames, topic: string): Stream | undefined {
  for (const stream of STREAMS) if (topics[stream] === topic) return stream;
  return undefined;
}

export function inputTopics(topics: TopicNames): string[] {
  return STREAMS.map((s) => topics[s]);
}
