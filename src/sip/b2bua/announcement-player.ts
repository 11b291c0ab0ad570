import type { TimerHandle } from '../../clock';
import type { Call } from '../../calls/call';
import type { Resource } from '../../cmr/model';
import type { Logger } from '../../observability/logger';
import type { Dialog } from '../dialog/dialog';
import type { OutgoingInvite } from '../ua/outgoing-invite';
import { announcementUri } from './announcement-uri';
import type { B2buaContext } from './b2bua-context';
import type { CallSession } from './call-session';

export type MediaState = 'starting' | 'playing' | 'failed' | 'stopped';

export interface AnnouncementPlayerInit {
  readonly ctx: B2buaContext;
  readonly call: Call;
  readonly log: Logger;
  /** The caller's SDP offer: every media-server leg is offered it, so it sends straight to the caller. */
  readonly offer: Buffer;
  /** Our address, for the From of the media-server legs. */
  readonly address: string;
  /** The call's session, which a media-server leg's requests and end are routed to. */
  readonly session: CallSession;
}

/** Moves the caller's media to a new media-server answer; true when the caller took it. */
export type MoveCaller = (sdp: Buffer) => Promise<boolean>;

interface OpenedLeg {
  readonly dialog: Dialog;
  readonly sdp: Buffer;
}

/**
 * The CMR resources a caller hears while the called party rings, one RFC 4240 media-server leg per
 * item: the first leg's answer is the caller's early media; each next item gets a new leg, the caller
 * is moved to it, and only then does the old leg go, so the call's record of what presents changes at
 * the instant the caller's media does.
 */
export class AnnouncementPlayer {
  private current: MediaState = 'starting';
  /** The leg the caller hears. */
  private leg: Dialog | null = null;
  /**
   * Every media-server dialog of this call still up, old ones being hung up included: mostly one, so an
   * array replaced on change (a Set is ~190 bytes for the ringing time of every call).
   */
  private legs: readonly Dialog[] = [];
  private opening: OutgoingInvite | null = null;
  private next: TimerHandle | null = null;
  private playOrder: readonly Resource[] = [];
  private index = 0;

  constructor(private readonly init: AnnouncementPlayerInit) {}

  get state(): MediaState {
    return this.current;
  }

  owns(dialog: Dialog): boolean {
    return this.legs.includes(dialog);
  }

  /** Opens the leg of the first item; its SDP answer, or null when it failed or was stopped meanwhile. */
  async start(first: Resource): Promise<Buffer | null> {
    const opened = await this.open(first);
    if (!opened) {
      if (this.current === 'starting') this.current = 'failed';
      return null;
    }
    this.leg = opened.dialog;
    return opened.sdp;
  }

  /** The caller now hears the first item (our 183 went out). */
  playing(resource: Resource): void {
    if (this.current !== 'starting') return;
    this.current = 'playing';
    this.present(resource);
  }

  /** Presents the rest of the play order in turn, each for its duration, looping; `move` re-targets the caller. */
  advance(playOrder: readonly Resource[], move: MoveCaller): void {
    if (this.current !== 'playing' || playOrder.length < 2) return;
    this.playOrder = playOrder;
    this.index = 0;
    this.schedule(move);
  }

  /** Ends every media-server leg; the resource stops presenting at `at`. */
  stop(at: number): void {
    if (this.current === 'starting' || this.current === 'playing') this.current = 'stopped';
    if (this.next) this.init.ctx.clock.clearTimeout(this.next);
    this.next = null;
    this.init.call.stopPresenting(at);
    this.opening?.cancel();
    this.opening = null;
    for (const dialog of this.legs) void this.init.ctx.ua.bye(dialog);
    this.leg = null;
  }

  /** A media-server dialog ended: when the media server itself ended the one playing, nothing presents. */
  legEnded(dialog: Dialog, why: string): void {
    this.legs = this.legs.filter((leg) => leg !== dialog);
    if (dialog !== this.leg) return;
    this.leg = null;
    if (this.current !== 'playing') return;
    this.current = 'stopped';
    if (this.next) this.init.ctx.clock.clearTimeout(this.next);
    this.next = null;
    this.init.call.stopPresenting(this.init.ctx.clock.now());
    this.init.log.info('media server ended the ringing media', { why });
  }

  private schedule(move: MoveCaller): void {
    const presenting = this.playOrder[this.index];
    if (!presenting || presenting.durationSeconds <= 0) return;
    this.next = this.init.ctx.clock.setTimeout(() => {
      this.next = null;
      void this.toNext(move);
    }, presenting.durationSeconds * 1000);
  }

  private async toNext(move: MoveCaller): Promise<void> {
    const index = (this.index + 1) % this.playOrder.length;
    const resource = this.playOrder[index];
    if (!resource || this.current !== 'playing') return;
    const opened = await this.open(resource);
    if (!opened) {
      if (this.isPlaying()) {
        this.init.log.warn('next ringing item unavailable: the current one goes on', { resourceId: resource.id });
        this.schedule(move);
      }
      return;
    }
    const moved = this.isPlaying() && (await move(opened.sdp));
    if (!moved || !this.isPlaying()) {
      void this.init.ctx.ua.bye(opened.dialog);
      if (this.isPlaying()) this.init.log.warn('caller kept the current ringing item', { next: resource.id });
      return;
    }
    const old = this.leg;
    this.leg = opened.dialog;
    if (old) void this.init.ctx.ua.bye(old);
    this.index = index;
    this.present(resource);
    this.schedule(move);
  }

  private present(resource: Resource): void {
    this.init.call.present(resource, this.init.ctx.clock.now());
    this.init.log.info('presenting', { resourceId: resource.id, title: resource.title });
  }

  /** One media-server leg with the caller's offer; null when it failed, or was stopped while opening. */
  private async open(resource: Resource): Promise<OpenedLeg | null> {
    const { ctx } = this.init;
    const uri = announcementUri(ctx.config.media.server, resource.mediaUri);
    let outgoing: OutgoingInvite;
    try {
      const request = ctx.ua.createRequest({
        method: 'INVITE',
        uri,
        from: `<sip:cmr-as@${this.init.address}>`,
        to: `<${uri}>`,
        body: this.init.offer,
        contentType: 'application/sdp',
        headers: [['Subject', 'cmr ringing']],
      });
      outgoing = await ctx.ua.invite(request);
    } catch (err) {
      this.init.log.warn('media server leg failed', { resourceId: resource.id, why: String(err) });
      return null;
    }
    if (this.stopped()) {
      outgoing.cancel();
      return null;
    }
    this.opening = outgoing;
    const { response, dialog } = await outgoing.result;
    if (this.opening === outgoing) this.opening = null;
    if (dialog && this.stopped()) {
      void ctx.ua.bye(dialog);
      return null;
    }
    if (!dialog || response.status >= 300) {
      if (!this.stopped()) {
        this.init.log.warn('media server leg failed', {
          resourceId: resource.id,
          why: `media server answered ${response.status}`,
        });
      }
      return null;
    }
    this.legs = this.legs.concat(dialog);
    this.init.ctx.bind(dialog, this.init.session);
    return { dialog, sdp: response.body };
  }

  /** Read through methods: TypeScript would keep the narrowing from before an await. */
  private stopped(): boolean {
    return this.current === 'stopped';
  }

  private isPlaying(): boolean {
    return this.current === 'playing';
  }
}
