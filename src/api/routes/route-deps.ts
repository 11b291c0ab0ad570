import type { Clock } from '../../clock';
import type { CmrStore } from '../../cmr/ports/cmr-store.port';

/** What the provisioning routes need from the application. */
export interface RouteDeps {
  readonly store: CmrStore;
  readonly clock: Pick<Clock, 'now'>;
}
