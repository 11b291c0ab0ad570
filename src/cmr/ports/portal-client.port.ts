import type { OutboxMessage } from '../model';

export type PortalDelivery =
  | { readonly status: 'delivered' }
  /** The portal refused the record for good (a 4xx other than 408/429): retrying will not help. */
  | { readonly status: 'rejected'; readonly detail: string }
  /** Down, timeout, 5xx, 408, 429: try again later. */
  | { readonly status: 'retry'; readonly detail: string };

/** The CMR Portal of the service provider, which receives copy records (the seed's step 7). */
export interface PortalClient {
  deliver(message: OutboxMessage): Promise<PortalDelivery>;
}
