// /watch/:id : the player (LL-HLS by default, WebRTC on request), the live
// room (chat, reactions, viewer count) and the product overlay, timed to the
// video for HLS viewers. An unknown stream gets a not-found page.
import { html, nothing } from 'lit';
import type { PinView, StreamFigures } from '@shared/room-protocol';
import { streams } from '../api/client';
import { ApiError, messageOf } from '../api/errors';
import type { Stream } from '../api/types';
import '../components/lc-chat';
import { LcCheckout } from '../components/lc-checkout';
import '../components/lc-pin-card';
import { LcHearts, LcReactions } from '../components/lc-reactions';
import { LightElement } from '../components/light-element';
import { LivecartPlayer } from '../components/livecart-player';
import { pinVisible } from '../player/pin-timing';
import '../player/hls-worker';
import { LiveRoom } from '../room/live-room';
import { mount, setTitle } from './page';

const STATUS_TEXT = {
  created: 'Starting soon',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Ended',
} as const;

/** Whether the shown pin must be redrawn (a new pin, or its units or price changed). */
function samePin(a: PinView | null, b: PinView | null): boolean {
  return (
    a?.pinId === b?.pinId &&
    a?.remaining === b?.remaining &&
    a?.salePriceCents === b?.salePriceCents &&
    a?.priceCents === b?.priceCents
  );
}

/** An ended stream's figures, in place of "watching". */
function finalFigures(f: StreamFigures | null): string {
  if (!f) return '';
  const n = (x: number, one: string, many: string) => `${x.toLocaleString()} ${x === 1 ? one : many}`;
  return `${n(f.peakViewers, 'viewer', 'viewers')} at the peak · ${n(f.uniqueViewers, 'viewer', 'viewers')} in all · ${n(f.likes, 'heart', 'hearts')}`;
}

class LcWatch extends LightElement {
  static override properties = {
    stream: { state: true },
    notFound: { state: true },
    loadError: { state: true },
    shownPin: { state: true },
  };
  declare stream: Stream | null;
  declare notFound: boolean;
  declare loadError: string;
  declare shownPin: PinView | null;

  readonly streamId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
  private room: LiveRoom | null = null;
  private readonly params = new URLSearchParams(location.search);
  private timers: ReturnType<typeof setInterval>[] = [];

  constructor() {
    super();
    this.stream = null;
    this.notFound = false;
    this.loadError = '';
    this.shownPin = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.timers.forEach(clearInterval);
    this.room?.close();
  }

  private get player(): LivecartPlayer | null {
    return this.querySelector<LivecartPlayer>('livecart-player');
  }

  private async load(): Promise<void> {
    try {
      this.stream = await streams.get(this.streamId);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 400)) {
        this.notFound = true;
        setTitle('Stream not found');
      } else this.loadError = messageOf(e);
      return;
    }
    setTitle(this.stream.title);
    const room = new LiveRoom(this.streamId);
    this.room = room;
    (window as unknown as { liveRoom: LiveRoom }).liveRoom = room;
    room.on('change', () => this.onRoomChange());
    room.connect();
    await this.updateComplete;
    const player = this.player;
    if (player) (window as unknown as { player: LivecartPlayer }).player = player;
    if (this.stream.status !== 'created') void player?.start(this.params.get('mode') ?? '');
    else this.waitUntilLive();
    // The overlay follows the video: an HLS viewer sees a pin when their picture reaches it.
    this.timers.push(setInterval(() => this.syncPin(), 250));
  }

  private onRoomChange(): void {
    const s = this.stream;
    const status = this.room?.status;
    if (s && status && status !== s.status) {
      this.stream = { ...s, status };
      if (status === 'live' && !this.player?.isStarted)
        void this.player?.start(this.params.get('mode') ?? '');
      else if (status === 'live' && s.status === 'reconnecting') this.resumePlayback();
    }
    this.syncPin();
    this.requestUpdate();
  }

  /**
   * Back from reconnecting. WebRTC sessions ended with the publisher's: play again. HLS goes on
   * after a discontinuity, but hls.js may stay stalled before it: when the picture has not moved
   * a few seconds after the streamer is back (the new parts exist by then), load it again.
   */
  private resumePlayback(): void {
    const player = this.player;
    if (!player) return;
    if (player.mode === 'webrtc') return void player.start('webrtc');
    const before = player.video?.currentTime ?? 0;
    const check = setTimeout(() => {
      if (this.room?.status === 'live' && (player.video?.currentTime ?? 0) < before + 1)
        void player.start('hls');
    }, 4000);
    this.timers.push(check);
  }

  /** A stream that has not started yet: play as soon as it is live (the room says so too). */
  private waitUntilLive(): void {
    const timer = setInterval(() => {
      void streams
        .get(this.streamId)
        .then((s) => {
          if (s.status === 'created') return;
          clearInterval(timer);
          this.stream = s;
          if (!this.player?.isStarted) void this.player?.start(this.params.get('mode') ?? '');
        })
        .catch(() => undefined);
    }, 2000);
    this.timers.push(timer);
  }

  private syncPin(): void {
    const pin = this.room?.pin ?? null;
    let clock: Date | null = null;
    try {
      clock = this.player?.wallClock() ?? null;
    } catch {
      clock = null;
    }
    const show = pin && pinVisible(pin.pinnedAt, clock) ? pin : null;
    if (!samePin(show, this.shownPin)) this.shownPin = show;
  }

  private buy(ev: CustomEvent<PinView>): void {
    const dialog = this.querySelector<LcCheckout>('lc-checkout');
    void dialog?.open({ streamId: this.streamId, pin: ev.detail, room: this.room });
  }

  private renderNotFound() {
    return html`<section class="empty" data-testid="not-found">
      <h1>Stream not found</h1>
      <p>There is no stream at this address. It may have been removed, or the link is mistyped.</p>
      <p><a class="btn" href="/">See who is live now</a></p>
    </section>`;
  }

  override render() {
    if (this.notFound) return this.renderNotFound();
    if (this.loadError) return html`<div class="alert error" role="alert">${this.loadError}</div>`;
    const s = this.stream;
    if (!s) return html`<p class="muted" role="status">Loading…</p>`;
    const room = this.room;
    const status = room?.status ?? s.status;
    const ended = status === 'ended';
    return html`<div class="room">
        <section class="stage" aria-label="Video">
          <livecart-player stream=${s.id} mode=${this.params.get('mode') ?? ''} ?ended=${ended}>
            <div id="overlay" class="overlay" aria-live="polite">
              ${
                this.shownPin
                  ? html`<lc-pin-card .pin=${this.shownPin} can-buy @buy=${this.buy}></lc-pin-card>`
                  : nothing
              }
            </div>
            <lc-hearts id="hearts" class="hearts" aria-hidden="true"></lc-hearts>
            ${
              status === 'reconnecting'
                ? html`<div class="reconnecting" role="status" data-testid="reconnecting">
                    The streamer is reconnecting…
                    <span class="muted">The show goes on in a moment.</span>
                  </div>`
                : nothing
            }
          </livecart-player>
          <div class="stage-bar">
            <h1 id="title">${s.title}</h1>
            <span id="status" class="badge ${status === 'live' ? 'live' : ''}">${STATUS_TEXT[status]}</span>
            <span id="viewers" class="muted"
              >${room?.joined && !ended ? `${room.viewers} watching` : finalFigures(room?.final ?? null)}</span
            >
            ${
              ended
                ? html`<span class="muted">Replay</span>`
                : html`<lc-reactions
                    .room=${room}
                    .hearts=${this.querySelector<LcHearts>('lc-hearts')}
                  ></lc-reactions>`
            }
          </div>
        </section>
        <lc-chat id="chat" .room=${room}></lc-chat>
      </div>
      <lc-checkout></lc-checkout>`;
  }

  override updated(): void {
    // The hearts element exists only after the first render; hand it to the buttons.
    const reactions = this.querySelector<LcReactions>('lc-reactions');
    const hearts = this.querySelector<LcHearts>('lc-hearts');
    if (reactions && hearts && reactions.hearts !== hearts) reactions.hearts = hearts;
  }
}
customElements.define('lc-watch', LcWatch);

mount(html`<lc-watch></lc-watch>`);
