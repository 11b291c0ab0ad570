import type { SipRequest } from '../message/sip-message';
import type { Dialog, DialogId } from './dialog';

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

/**
 * The dialogs this UA takes part in, found by Call-ID and tags (RFC 3261 §12.2.2) or by Target-Dialog.
 * Filed by Call-ID, the string each dialog keeps anyway, with the few dialogs of one Call-ID (forks, a
 * B2BUA's legs never share one) told apart by their tags: no key string of its own per dialog.
 */
export class DialogTable {
  private readonly byCallId = new Map<string, Dialog | Dialog[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Files `dialog`, in place of one with the same identifiers. */
  add(dialog: Dialog): void {
    const callId = dialog.callId;
    const filed = this.byCallId.get(callId);
    if (filed === undefined) {
      this.byCallId.set(callId, dialog);
    } else if (!Array.isArray(filed)) {
      if (sameTags(filed, dialog)) return void this.byCallId.set(callId, dialog);
      this.byCallId.set(callId, [filed, dialog]);
    } else {
      const at = filed.findIndex((d) => sameTags(d, dialog));
      if (at >= 0) return void (filed[at] = dialog);
      this.byCallId.set(callId, filed.concat(dialog));
    }
    this.count++;
  }

  /** Forgets the dialog with the identifiers of `dialog`. */
  remove(dialog: Dialog): void {
    const filed = this.byCallId.get(dialog.callId);
    if (filed === undefined) return;
    if (!Array.isArray(filed)) {
      if (!sameTags(filed, dialog)) return;
      this.byCallId.delete(dialog.callId);
    } else {
      const rest = filed.filter((d) => !sameTags(d, dialog));
      if (rest.length === filed.length) return;
      this.byCallId.set(dialog.callId, rest.length === 1 ? rest[0]! : rest);
    }
    this.count--;
  }

  get(id: DialogId): Dialog | undefined {
    const filed = this.byCallId.get(id.callId);
    if (filed === undefined) return undefined;
    if (!Array.isArray(filed)) return sameTags(filed, id) ? filed : undefined;
    return filed.find((d) => sameTags(d, id));
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

  *values(): IterableIterator<Dialog> {
    for (const filed of this.byCallId.values()) {
      if (Array.isArray(filed)) yield* filed;
      else yield filed;
    }
  }
}

function sameTags(a: DialogId, b: DialogId): boolean {
  return a.localTag === b.localTag && a.remoteTag === b.remoteTag;
}
