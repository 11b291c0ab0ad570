import type { SipRequest } from '../message/sip-message';
import { dialogKey, type Dialog, type DialogId } from './dialog';

/** RFC 4538 Target-Dialog: `callid;local-tag=..;remote-tag=..`, tags from the sender's point of view. */
export interface TargetDialog {
  readonly callId: string;
  readonly senderLocalTag: string;
  readonly senderRemoteTag: string;
}

export function parseTargetDialog(value: string): TargetDialog | null {
  const parts = value.split(';').map((p) => p.trim());
  const callId = parts.shift();
  if (!callId) return null;
  let local: string | undefined;
  let remote: string | undefined;
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const name = p.slice(0, eq).trim().toLowerCase();
    const v = p.slice(eq + 1).trim();
    if (name === 'local-tag') local = v;
    else if (name === 'remote-tag') remote = v;
  }
  if (!local || !remote) return null;
  return { callId, senderLocalTag: local, senderRemoteTag: remote };
}

/** The dialogs this UA takes part in, found by Call-ID and tags (RFC 3261 §12.2.2) or by Target-Dialog. */
export class DialogTable {
  private readonly byKey = new Map<string, Dialog>();

  get size(): number {
    return this.byKey.size;
  }

  add(dialog: Dialog): void {
    this.byKey.set(dialog.key, dialog);
  }

  remove(dialog: Dialog): void {
    this.byKey.delete(dialog.key);
  }

  get(id: DialogId): Dialog | undefined {
    return this.byKey.get(dialogKey(id));
  }

  /** The dialog an in-dialog request belongs to: its To tag is ours, its From tag is theirs. */
  forRequest(request: SipRequest): Dialog | undefined {
    const localTag = request.toTag;
    const remoteTag = request.fromTag;
    if (localTag === null || remoteTag === null) return undefined;
    return this.get({ callId: request.callId, localTag, remoteTag });
  }

  /** The dialog named by an RFC 4538 Target-Dialog header; the sender's remote tag is our local tag. */
  forTargetDialog(target: TargetDialog): Dialog | undefined {
    return this.get({ callId: target.callId, localTag: target.senderRemoteTag, remoteTag: target.senderLocalTag });
  }

  values(): IterableIterator<Dialog> {
    return this.byKey.values();
  }
}
