/** Grafana colours of the catalog's statuses, shared by every dashboard so a red means one thing. */
import type { Status } from '../schemas/metric-catalog.js';

export const STATUS_COLOURS = {
  red: 'red',
  amber: 'orange',
  green: 'green',
  neutral: 'blue',
  insufficient: 'text',
} as const satisfies Record<Status, string>;

/** A surge is an opportunity (more budget, restock), never a warning: it has no status and is never red. */
export const OPPORTUNITY_COLOUR = 'blue';
