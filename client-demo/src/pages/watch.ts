// /watch/:id : the player (LL-HLS by default, WebRTC on request), the live
// room (chat, reactions, viewer count) and the product overlay, timed to the
// video for HLS viewers. An unknown stream gets a not-found page. "Next live"
// (a link, and on a touch screen a swipe up on the video) opens the next
// stream that is live.
import { html, nothing } from 'lit';
import type { PinView, StreamFigures } from '@shared/room/protocol';
import { streams } from '../api/client';
import { ApiError, messageOf } from '../api/errors';
import type { Stream } from '../api/types';
import '../components/lc-chat';
import { LcCheckout } from '../components/lc-checkout';
import '../components/lc-pin-card';
import { LcHearts, LcReactions } from '../components/lc-reactions';
import { LightElement, states } from '../components/light-element';
import { LivecartPlayer } from '../components/livecart-player';
import { isSwipeUp, nextLive, type Point } from '../lib/next-live';
import { nextTask } from '../lib/next-task';
import { pinVisible } from '../player/pin-timing';
import '../player/hls-worker';
import { LiveRoom } from '../room/live-room';
import { mount, setTitle } from './page';
// After page.ts's livecart.css, which it adapts to phones.

const STATUS_TEXT = {
  created: 'Starting soon',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  ended: 'Ended',
} as const;

/** How often the list of live streams behind "Next live" is read again. */
const NEXT_LIVE_REFRESH_MS = 15_000;

/** Where a swipe must not start: the controls over the video keep their own gestures. */
const NOT_A_SWIPE = 'a, button, input, textarea, select, lc-pin-card';

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
  static override properties = states<LcWatch>('stream', 'notFound', 'loadError', 'shownPin', 'next');
  stream: Stream | null = null;
  notFound = false;
  loadError = '';
  shownPin: PinView | null = null;
  /** The stream "Next live" opens: null when no other is live, undefined until the list is read. */
  next: Stream | null | undefined = undefined;

  readonly streamId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '');
  private room: LiveRoom | null = null;
  private readonly params = new URLSearchParams(location.search);
  private timers: ReturnType<typeof setInterval>[] = [];
  /** Where a touch on the video started (a swipe in progress), else null. */
  private swipeFrom: (Point & { pointerId: number }) | null = null;

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
    await this.updateComplete;
    // The stage (its poster, title and status) is drawn in this task; the socket and the player
    // start in the next.
    await nextTask();
    if (!this.isConnected) return;
    room.connect();
    const player = this.player;
    if (player) (window as unknown as { player: LivecartPlayer }).player = player;
    if (this.stream.status !== 'created') void player?.start(this.params.get('mode') ?? '');
    else this.waitUntilLive();
    // The overlay follows the video: an HLS viewer sees a pin when their picture reaches it.
    this.timers.push(setInterval(() => this.syncPin(), 250));
    void this.loadNext();
    this.timers.push(setInterval(() => void this.loadNext(), NEXT_LIVE_REFRESH_MS));
  }

  /** Reads which stream "Next live" opens; a failed read keeps what was shown. */
  private async loadNext(): Promise<void> {
    try {
      this.next = nextLive((await streams.live()).items, this.streamId);
    } catch {
      // The link is a convenience: without the list, it stays as it was.
    }
  }

  /** The watch page of the next live stream, in the same mode (`?mode=`) as this one. */
  private nextHref(next: Stream): string {
    return `/watch/${encodeURIComponent(next.id)}${location.search}`;
  }

  private onPointerDown(ev: PointerEvent): void {
    // A swipe is a touch gesture: a mouse drag on the video is not one.
    if (ev.pointerType === 'mouse' || !ev.isPrimary) return;
    const target = ev.composedPath()[0];
    if (target instanceof Element && target.closest(NOT_A_SWIPE)) return;
    this.swipeFrom = { x: ev.clientX, y: ev.clientY, pointerId: ev.pointerId };
  }

  private onPointerUp(ev: PointerEvent): void {
    const from = this.swipeFrom;
    this.swipeFrom = null;
    if (!from || from.pointerId !== ev.pointerId || !this.next) return;
    if (isSwipeUp(from, { x: ev.clientX, y: ev.clientY }, window.innerHeight))
      location.assign(this.nextHref(this.next));
  }

  private onPointerCancel(): void {
    this.swipeFrom = null;
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

  private renderNext() {
    if (this.next === undefined) return nothing;
    if (this.next === null)
      return html`<span class="next-live none" data-testid="next-live-none">No other stream is live</span>`;
    return html`<a
      class="btn small secondary next-live"
      data-testid="next-live"
      href=${this.nextHref(this.next)}
      aria-label=${`Next live: ${this.next.title}`}
      >Next live <span aria-hidden="true">›</span></a
    >`;
  }

  override render() {
    if (this.notFound) return this.renderNotFound();
    if (this.loadError) return html`<div class="alert error" role="alert">${this.loadError}</div>`;
    const s = this.stream;
    // Loading: the stage the player will fill, so nothing moves when it comes.
    if (!s)
      return html`<div class="room">
        <section class="stage" aria-label="Video"><p class="muted" role="status">Loading…</p></section>
      </div>`;
    const room = this.room;
    const status = room?.status ?? s.status;
    const ended = status === 'ended';
    return html`<div class="room">
        <section
          class="stage"
          aria-label="Video"
          @pointerdown=${this.onPointerDown}
          @pointerup=${this.onPointerUp}
          @pointercancel=${this.onPointerCancel}
        >
          <livecart-player
            stream=${s.id}
            mode=${this.params.get('mode') ?? ''}
            poster=${s.posterUrl ?? nothing}
            ?ended=${ended}
          >
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
            ${this.renderNext()}
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

mount(html`<lc-watch></lc-watch>`, { wide: true, bodyClass: 'watch' });
