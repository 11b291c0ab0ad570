import type { AppConfig } from './schema';

/**
 * The configured values that must never reach a log: the API token, the portal's signing secret and, when
 * charging is Diameter, its identities (ours and where CCRs go: they name the operator's hosts and realms).
 */
export function secretValues(config: AppConfig): string[] {
  const { kind, diameter } = config.charging;
  const identities =
    kind === 'diameter'
      ? [diameter.originHost, diameter.originRealm, diameter.destinationRealm, diameter.destinationHost]
      : [];
  return [config.http.apiToken, config.portal.hmacSecret, ...identities].filter((value) => value !== '');
}
