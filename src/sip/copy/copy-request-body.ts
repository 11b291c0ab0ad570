/** Our copy request body: a small JSON document, schema in docs/copy-request.schema.json. */
export const COPY_REQUEST_TYPE = 'application/vnd.cmr.copy-request+json';
/** The machine-readable result we send the handset inside the confirmation MESSAGE. */
export const COPY_RESULT_TYPE = 'application/vnd.cmr.copy-result+json';
/** Our RFC 6086 Info Package for copy requests sent as INFO. */
export const COPY_INFO_PACKAGE = 'cmr-copy';

export interface CopyRequestBody {
  /** The resource the client means, if it names one; it must be the one presenting. */
  readonly resourceId: string | null;
  /** The user agreed to the price in the client app: no second confirmation is asked. */
  readonly consent: boolean;
}

export type CopyRequestParse =
  { readonly ok: true; readonly body: CopyRequestBody } | { readonly ok: false; readonly problem: string };

const KNOWN = new Set(['action', 'resourceId', 'consent']);

/** Reads `{"action":"copy","resourceId":"...","consent":true}`; what the body says of parties is never read. */
export function parseCopyRequest(body: Buffer): CopyRequestParse {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, problem: 'the body is not JSON' };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, problem: 'the body is not a JSON object' };
  }
  const fields = doc as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) return { ok: false, problem: `unknown field ${unknown[0]}` };
  if (fields.action !== 'copy') return { ok: false, problem: 'action must be "copy"' };
  const resourceId = fields.resourceId ?? null;
  if (resourceId !== null && (typeof resourceId !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(resourceId))) {
    return { ok: false, problem: 'resourceId must be a resource id' };
  }
  const consent = fields.consent ?? false;
  if (typeof consent !== 'boolean') return { ok: false, problem: 'consent must be true or false' };
  return { ok: true, body: { resourceId, consent } };
}
