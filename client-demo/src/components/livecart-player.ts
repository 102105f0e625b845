// <livecart-player stream="ID">: the viewer's player. LL-HLS with hls.js by
// default (scales to any number of viewers; hls.js is loaded on demand), or
// WebRTC over WHEP for the lowest latency. Anything put inside it (the product
// overlay, floating hearts) is shown over the picture.
//
// The same element is the embeddable player (/embed.js, src/embed/embed.ts):
// shadow DOM (the host page's CSS cannot break it, its CSS cannot leak),
// styled only through the design tokens (CSS custom properties inherit into
// the shadow root), no globals, `src-base` for a player served from another
// origin, and with `shop` it draws the live room's shop itself (player-shop.ts)
// and speaks the events and methods of embed.d.ts.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type Hls from 'hls.js';
import type { LivecartPlayerApi, LivecartProduct } from '../embed/embed-api';
import { playerDefaults } from '../player/defaults';
import { nextTask } from '../lib/next-task';
import { NearLive } from '../player/near-live';
import { fetchChannel, sharedWorkerLoader } from '../player/worker-loader';
import { whepPlay, type WhepSession } from '../player/webrtc';
import { PlayerShop, shopStyles } from './player-shop';
import { states } from './light-element';

export type PlayerMode = 'hls' | 'webrtc';
export interface PlayerState {
  mode: PlayerMode | null;
  state: string;
  message?: string;
}

export class LivecartPlayer extends LitElement implements LivecartPlayerApi {
  static override properties = {
    stream: { type: String },
    shop: { type: Boolean, reflect: true },
    preferred: { type: String, attribute: 'mode' },
    ended: { type: Boolean, reflect: true },
    srcBase: { type: String, attribute: 'src-base' },
    poster: { type: String },
    portrait: { type: Boolean, reflect: true },
    ...states<LivecartPlayer>('muted', 'playerState'),
  };

  static override styles = [
    css`
      :host {
        display: block;
        position: relative;
        background: #000;
        aspect-ratio: 16 / 9;
        border-radius: var(--radius-lg, 10px);
        overflow: hidden;
        color: var(--color-text, #eef0f5);
        font: inherit;
      }
      video {
        width: 100%;
        height: 100%;
        object-fit: contain;
        background: #000;
        display: block;
      }
      .bar {
        position: absolute;
        top: var(--space-2, 0.5rem);
        right: var(--space-2, 0.5rem);
        display: flex;
        gap: var(--space-1, 0.25rem);
        align-items: center;
      }
      .bar span {
        font-size: var(--text-sm, 0.85rem);
        background: rgb(0 0 0 / 0.6);
        padding: 0.15rem 0.45rem;
        border-radius: var(--radius-sm, 4px);
      }
      button {
        font: inherit;
        font-size: var(--text-sm, 0.85rem);
        color: inherit;
        background: rgb(0 0 0 / 0.6);
        border: 1px solid rgb(255 255 255 / 0.35);
        border-radius: var(--radius-sm, 4px);
        padding: 0.2rem 0.55rem;
        cursor: pointer;
      }
      button:hover {
        background: rgb(0 0 0 / 0.8);
      }
      button:focus-visible {
        outline: 2px solid var(--color-focus, #8ab4ff);
        outline-offset: 2px;
      }
      ::slotted(*) {
        position: absolute;
      }
      :host([shop]) .bar {
        top: auto;
        bottom: 3.6rem;
        right: 0.5rem;
        flex-direction: column;
        align-items: flex-end;
      }
    `,
    shopStyles,
  ];

  /** The stream to play. */
  stream = '';
  /** `hls`, `webrtc`, or empty for HLS when the stream has it, else WebRTC. */
  preferred = '';
  /** The stream has ended: the same HLS URL plays the replay, with the video's own controls. */
  ended = false;
  /** Where the stream's /hls and /whep live; empty for this page's origin. */
  srcBase: string = playerDefaults.base;
  /**
   * Shown until the first frame: the picture of the stream a moment ago rather than a black box
   * while hls.js loads and buffers (the watch page's largest paint; its HTML preloads it).
   */
  poster = '';
  /** Draws the pinned product, hearts and read-only chat itself (the embed), instead of children. */
  shop: boolean = playerDefaults.shop;
  /** The picture is taller than wide (a vertical stream); reflected, for pages to lay it out. */
  portrait = false;
  muted = true;
  playerState: PlayerState = { mode: null, state: 'idle' };

  private hlsPlayer: Hls | null = null;
  private whep: WhepSession | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private nearLiveTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private started = false;
  private current: PlayerMode | null = null;
  private readonly shopUi = new PlayerShop(this);
  private joined = '';

  /** The <video> (in the shadow root). */
  get video(): HTMLVideoElement | null {
    return this.renderRoot.querySelector('video');
  }

  get mode(): PlayerMode | null {
    return this.current;
  }

  /** The hls.js instance while playing HLS (tests read its target latency). */
  get hls(): Hls | null {
    return this.hlsPlayer;
  }

  /** The wall-clock time of the frame on screen, or null when playback is real time (WebRTC). */
  wallClock(): Date | null {
    if (this.current === 'hls' && this.hlsPlayer?.playingDate) return this.hlsPlayer.playingDate;
    return null;
  }

  /** The pinned product the viewer sees now (with `shop`), or null. */
  get product(): LivecartProduct | null {
    return this.shopUi.product;
  }

  /** livecart's own checkout for the pinned product, in a popup window on the livecart host. */
  openCheckout(quantity = 1): Window | null {
    return this.shopUi.openCheckout(quantity);
  }

  override render() {
    const { mode, state, message } = this.playerState;
    const label = mode ? `${mode === 'webrtc' ? 'WebRTC' : 'LL-HLS'}${message ? ` (${message})` : ''}` : '';
    return html`
      <video
        part="video"
        playsinline
        autoplay
        poster=${this.poster || nothing}
        .muted=${this.muted}
        ?controls=${this.ended}
        data-mode=${mode ?? nothing}
        data-state=${state}
        aria-label="Live video"
        @loadedmetadata=${this.onVideoSize}
        @resize=${this.onVideoSize}
      ></video>
      ${this.shop ? this.shopUi.render() : html`<slot></slot>`}
      <div class="bar" part="bar">
        ${label ? html`<span class="mode">${label}</span>` : nothing}
        ${
          this.ended
            ? nothing
            : html`<button type="button" class="toggle" @click=${this.toggleMode}>
                  ${mode === 'webrtc' ? 'Scale mode (LL-HLS)' : 'Lowest latency (WebRTC)'}
                </button>
                <button
                  type="button"
                  class="mute"
                  aria-pressed=${String(!this.muted)}
                  @click=${this.toggleMute}
                >
                  ${this.muted ? '🔇 Unmute' : '🔊 Mute'}
                </button>`
        }
      </div>
    `;
  }

  override willUpdate(): void {
    // A shop joins its stream's room (and plays when the room says the stream is on).
    const want = this.shop && this.isConnected && this.stream ? this.stream : '';
    if (want !== this.joined) {
      this.joined = want;
      if (want) this.shopUi.join();
      else this.shopUi.leave();
    }
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('ended') && this.ended && this.current === 'webrtc') void this.start('hls');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.joined = '';
    this.close();
  }

  /** The picture's size is known or changed (a publisher who turned their phone). */
  private onVideoSize(): void {
    const v = this.video;
    if (v?.videoWidth) this.portrait = v.videoHeight > v.videoWidth;
  }

  private toggleMode(): void {
    void this.start(this.current === 'webrtc' ? 'hls' : 'webrtc');
  }

  private toggleMute(): void {
    this.muted = !this.muted;
  }

  private url(path: string): string {
    return `${this.srcBase}${path}`;
  }

  private setState(state: string, message?: string): void {
    this.playerState = { mode: this.current, state, ...(message ? { message } : {}) };
    this.dispatchEvent(
      new CustomEvent<PlayerState>('player-state', { detail: this.playerState, bubbles: true }),
    );
  }

  /** Starts (or switches) playback; without a mode, HLS when the stream has it, else WebRTC. */
  async start(preferred: string = this.preferred): Promise<void> {
    this.started = true;
    this.closed = false;
    await this.updateComplete;
    if (preferred === 'webrtc' && !this.ended) return this.startWebRtc();
    if (preferred === 'hls' || this.ended) return this.startHls();
    const res = await fetch(this.url(`/hls/${this.stream}/master.m3u8`), { method: 'HEAD' }).catch(
      () => null,
    );
    return res?.ok ? this.startHls() : this.startWebRtc();
  }

  /** Whether start() has been called. */
  get isStarted(): boolean {
    return this.started;
  }

  /** Stops playback (and, with `shop`, leaves the room). */
  close(): void {
    this.closed = true;
    this.teardown();
    this.shopUi.leave();
  }

  private teardown(): void {
    clearTimeout(this.retryTimer);
    clearInterval(this.nearLiveTimer);
    this.hlsPlayer?.destroy();
    this.hlsPlayer = null;
    this.whep?.stop();
    this.whep = null;
    const v = this.video;
    if (v) {
      v.removeAttribute('src');
      v.srcObject = null;
    }
  }

  /** Stops what plays and says `mode` is connecting; returns the video to play it in (none before the first render). */
  private switchTo(mode: PlayerMode): HTMLVideoElement | null {
    this.teardown();
    this.current = mode;
    this.setState('connecting');
    return this.video;
  }

  private async startWebRtc(): Promise<void> {
    const video = this.switchTo('webrtc');
    if (!video) return;
    try {
      const whep = await whepPlay(this.url(`/whep/${this.stream}`));
      this.whep = whep;
      video.srcObject = whep.stream;
      await video.play().catch(() => undefined);
      whep.pc.addEventListener('connectionstatechange', () => {
        const st = whep.pc.connectionState;
        this.setState(st);
        if ((st === 'failed' || st === 'disconnected') && !this.closed && this.current === 'webrtc') {
          this.retryTimer = setTimeout(() => void this.startWebRtc(), 2000);
        }
      });
    } catch (e) {
      const err = e as Error & { status?: number };
      this.setState('error', err.message);
      if (!this.closed && this.current === 'webrtc' && err.status !== 404) {
        this.retryTimer = setTimeout(() => void this.startWebRtc(), 3000);
      }
    }
  }

  private async startHls(): Promise<void> {
    const video = this.switchTo('hls');
    if (!video) return;
    const src = this.url(`/hls/${this.stream}/master.m3u8`);
    // The requests' worker starts while hls.js downloads.
    if (playerDefaults.fetchWorker) fetchChannel(playerDefaults.fetchWorker);
    const { default: HlsJs, BaseLoader } = await import('hls.js');
    // Its module's evaluation in one task, the player's set-up (MediaSource, first requests) in the next.
    await nextTask();
    if (this.closed || this.current !== 'hls') return;
    if (!HlsJs.isSupported()) {
      video.src = src; // Safari plays HLS natively.
      await video.play().catch(() => undefined);
      return;
    }
    const hls = new HlsJs({
      // Target latency comes from the playlist's PART-HOLD-BACK (1 s): setting
      // liveSyncDuration(Count) here would override it with whole segments.
      lowLatencyMode: !this.ended,
      backBufferLength: 30,
      // Catch up with the live edge after a stall (e.g. a transcode resumed after a crash).
      maxLiveSyncPlaybackRate: 1.5,
      ...(playerDefaults.hlsWorker ? { workerPath: playerDefaults.hlsWorker } : {}),
      // The requests from a worker at their default priority (player/worker-loader.ts), where
      // the page has one (not the embed, on another origin: hls.js's XMLHttpRequest loader).
      // Not fetch at priority 'low': the watch page then stalled in bench:hls
      // (docs/benchmarks/web.md).
      ...(playerDefaults.fetchWorker
        ? { loader: sharedWorkerLoader(playerDefaults.fetchWorker, BaseLoader) }
        : {}),
    });
    this.hlsPlayer = hls;
    // Jump back to live when more than 4 target durations (8 s) behind, where hls.js would
    // otherwise stay for good. Set after construction: hls.js accepts it in the constructor only
    // together with liveSyncDurationCount, which would override the playlist's PART-HOLD-BACK.
    hls.config.liveMaxLatencyDurationCount = 4;
    const nearLive = new NearLive();
    hls.on(HlsJs.Events.LEVEL_UPDATED, (_e, { details }) => nearLive.playlist(details));
    hls.on(HlsJs.Events.ERROR, (_e, data) => {
      if (data.details === HlsJs.ErrorDetails.BUFFER_STALLED_ERROR) nearLive.stalled(Date.now());
      if (!data.fatal) return;
      this.setState('error', data.details);
      // A transcoder restart or a late first segment: reload rather than give up.
      if (data.type === HlsJs.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
      else
        this.retryTimer = setTimeout(() => {
          if (!this.closed && this.current === 'hls') void this.startHls();
        }, 2000);
    });
    this.nearLiveTimer = setInterval(() => {
      const next = nearLive.correction(hls.targetLatency, Date.now());
      if (next !== null) hls.targetLatency = next;
    }, 1000);
    hls.on(HlsJs.Events.MANIFEST_PARSED, () => {
      this.setState('playing');
      void video.play().catch(() => undefined);
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  }
}

customElements.define('livecart-player', LivecartPlayer);
