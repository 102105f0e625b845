// /studio : the streamer's desk. Answer shops' invitations, create a stream
// (for one of the shops you accepted, picked from a list; attachable or
// changeable until it goes live), pick camera, microphone and orientation
// (landscape, or portrait for vertical live), see a preview,
// go live from the browser over WHIP (or copy the WHIP URL and stream key into
// OBS), watch state, elapsed time and viewers, pin products, moderate the
// chat, end (after a confirmation: the only way to end early).
//
// A show survives the studio: reloading it, or closing it and opening it
// again within the server's grace, publishes again to the same stream. On
// pagehide the WHIP session is DELETEd (keepalive), which the server takes as
// "the publisher went away": the stream turns `reconnecting` and waits.
import { html, nothing } from 'lit';
import { streamer, streams, studio } from '../api/client';
import { ApiError, messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import type { LinkedMerchant, Stream, StreamerInvitation, StreamOwner } from '../api/types';
import '../components/lc-chat';
import '../components/lc-moderation';
import '../components/lc-pin-panel';
import { LightElement, states } from '../components/light-element';
import { toast } from '../components/toast';
import { formatMoney } from '../lib/money';
import {
  cameraConstraints,
  ORIENTATION_LABELS,
  ORIENTATIONS,
  orientationOf,
  type Orientation,
} from '../player/camera';
import { whipPublish, type WhipSession } from '../player/webrtc';
import { LiveRoom } from '../room/live-room';
import { field, mount } from './page';

const keyStore = {
  get: (id: string) => localStorage.getItem(`livecart.streamKey.${id}`),
  set: (id: string, key: string) => localStorage.setItem(`livecart.streamKey.${id}`, key),
};

/**
 * The stream this studio publishes from the camera. Per tab (sessionStorage, kept over a reload):
 * a reload resumes even before the server has seen the old session go. Per browser
 * (localStorage, kept when the tab closes): a studio opened again resumes a show that waits for
 * its publisher, but never one an encoder (OBS) publishes, nor one another tab still sends.
 */
const PUBLISHING = 'livecart.studio.publishing';
const publishing = {
  byTab: (id: string) => sessionStorage.getItem(PUBLISHING) === id,
  byBrowser: (id: string) => localStorage.getItem(PUBLISHING) === id,
  set(id: string) {
    sessionStorage.setItem(PUBLISHING, id);
    localStorage.setItem(PUBLISHING, id);
  },
  clear() {
    sessionStorage.removeItem(PUBLISHING);
    localStorage.removeItem(PUBLISHING);
  },
};

/** The camera's orientation, remembered by the browser for the next show. */
const ORIENTATION = 'livecart.studio.orientation';

/** How long a resume keeps trying while the server still sees the old session (409). */
const RESUME_TRY_MS = 20_000;

function hhmmss(seconds: number): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(seconds / 3600))}:${p(Math.floor((seconds % 3600) / 60))}:${p(seconds % 60)}`;
}

/** How often the studio reads its encoder's status while a stream is open. */
const ENCODER_POLL_MS = 4000;

class LcStudio extends LightElement {
  static override properties = states<LcStudio>(
    'stream',
    'loaded',
    'state',
    'error',
    'elapsed',
    'cameras',
    'mics',
    'shops',
    'busy',
    'showKey',
    'gmv',
    'invitations',
    'resuming',
    'confirmingEnd',
    'encoder',
    'orientation',
  );
  stream: Stream | null = null;
  loaded = false;
  state = '';
  error = '';
  elapsed = '';
  cameras: MediaDeviceInfo[] = [];
  mics: MediaDeviceInfo[] = [];
  shops: LinkedMerchant[] = [];
  busy = false;
  showKey = false;
  gmv = '';
  invitations: StreamerInvitation[] = [];
  resuming = false;
  confirmingEnd = false;
  /** The stream as its owner reads it (encoder URLs and status), refreshed while it is live. */
  encoder: StreamOwner | null = null;
  orientation: Orientation = orientationOf(localStorage.getItem(ORIENTATION));

  private media: MediaStream | null = null;
  private whip: WhipSession | null = null;
  private room: LiveRoom | null = null;
  private clock: ReturnType<typeof setInterval> | undefined;
  private encoderReadAt = 0;
  private opening: Promise<void> | null = null;
  private openAgain = false;

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('pagehide', this.onPageHide);
    if (session.can('streamer')) void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('pagehide', this.onPageHide);
  }

  /** The page goes away mid-show: tell the server now, so it waits for us rather than for a timeout. */
  private onPageHide = (): void => {
    this.whip?.leave();
    this.whip = null;
  };

  private async load(): Promise<void> {
    try {
      const [mine] = await Promise.all([streams.mine(), this.loadShops()]);
      this.loaded = true;
      const open = mine.items.find((s) => s.status !== 'ended') ?? null;
      if (!open) {
        publishing.clear();
        return;
      }
      this.useStream(open);
      // Our show, waiting for its publisher (this tab reloaded, or the studio was closed and
      // opened again within the grace): publish to it again.
      const resume =
        (open.status === 'live' && publishing.byTab(open.id)) ||
        (open.status === 'reconnecting' && publishing.byBrowser(open.id));
      if (resume && keyStore.get(open.id)) void this.resume();
    } catch (e) {
      this.error = messageOf(e);
      this.loaded = true;
    }
  }

  /** The shops this streamer may sell for, and the invitations waiting for an answer. */
  private async loadShops(): Promise<void> {
    const [shops, invitations] = await Promise.all([
      streamer.merchants().catch(() => ({ items: [] as LinkedMerchant[] })),
      studio.invitations().catch(() => ({ items: [] as StreamerInvitation[] })),
    ]);
    this.shops = shops.items;
    this.invitations = invitations.items;
  }

  private async answer(inv: StreamerInvitation, accept: boolean): Promise<void> {
    this.error = '';
    this.busy = true;
    try {
      if (accept) {
        await studio.accept(inv.id);
        toast(`You can now sell ${inv.merchant.name}'s products in your streams.`, 'ok');
      } else {
        await studio.decline(inv.id);
        toast(`Invitation from ${inv.merchant.name} declined.`, 'ok');
      }
      await this.loadShops();
    } catch (e) {
      this.error = messageOf(e);
      await this.loadShops();
    } finally {
      this.busy = false;
    }
  }

  /** Attaches, changes or detaches the shop of a stream that has not gone live. */
  private async changeShop(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const s = this.stream;
    if (!s) return;
    const merchantId = field(new FormData(ev.target as HTMLFormElement), 'merchantId');
    this.error = '';
    this.busy = true;
    try {
      const updated = await studio.updateStream(s.id, { merchantId: merchantId || null });
      this.stream = { ...s, ...updated };
      toast(
        updated.shop ? `This stream sells for ${updated.shop.name}.` : 'This stream sells nothing.',
        'ok',
      );
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = false;
    }
  }

  /** Shows a stream's controls, joins its room and opens the camera. */
  private useStream(s: Stream): void {
    this.stream = s;
    this.state = s.status;
    (window as unknown as { studio: unknown }).studio = { stream: s, session: () => this.whip };
    this.room?.close();
    this.room = new LiveRoom(s.id);
    this.room.on('change', () => this.requestUpdate());
    this.room.on('gmv', (g) => {
      this.gmv = `GMV ${formatMoney(g.gmvCents, g.currency)} · ${g.orders} order${g.orders === 1 ? '' : 's'}`;
    });
    this.room.connect();
    clearInterval(this.clock);
    this.clock = setInterval(() => this.tick(), 1000);
    this.tick();
    void this.updateComplete.then(() => this.openDevices());
  }

  private tick(): void {
    // An encoder's status every few seconds while the stream is open (docs/ingest.md).
    if (this.stream && this.state !== 'ended' && Date.now() - this.encoderReadAt > ENCODER_POLL_MS) {
      this.encoderReadAt = Date.now();
      const id = this.stream.id;
      void streams
        .owned(id)
        .then((o) => {
          if (this.stream?.id !== id) return;
          this.encoder = o;
          // An encoder (OBS) took the stream live or ended it: this page follows.
          if (!this.whip && o.status !== this.state) {
            this.stream = { ...this.stream, ...o };
            this.state = o.status;
          }
        })
        .catch(() => undefined);
    }
    const started = this.stream?.startedAt;
    if (!started || this.state === 'ended') return;
    this.elapsed = hhmmss(Math.max(0, Math.floor((Date.now() - Date.parse(started)) / 1000)));
  }

  private get preview(): HTMLVideoElement | null {
    return this.querySelector('#preview');
  }

  /**
   * Opens the chosen camera and microphone (one opening at a time); a live session switches to
   * them. A choice made while they open (the orientation, picked as the page opens the camera)
   * opens them once more after, with what is chosen then.
   */
  private openDevices(): Promise<void> {
    if (this.opening) {
      this.openAgain = true;
      return this.opening;
    }
    const run = async () => {
      do {
        this.openAgain = false;
        await this.reopenDevices();
      } while (this.openAgain);
    };
    this.opening = run().finally(() => (this.opening = null));
    return this.opening;
  }

  private async reopenDevices(): Promise<void> {
    const camera = this.querySelector<HTMLSelectElement>('select[name=camera]')?.value;
    const mic = this.querySelector<HTMLSelectElement>('select[name=mic]')?.value;
    try {
      this.media?.getTracks().forEach((t) => t.stop());
      this.media = await navigator.mediaDevices.getUserMedia({
        video: cameraConstraints(this.orientation, camera || undefined),
        audio: mic ? { deviceId: { exact: mic } } : true,
      });
      for (const sender of this.whip?.pc.getSenders() ?? []) {
        const track = this.media.getTracks().find((t) => t.kind === sender.track?.kind);
        if (track) void sender.replaceTrack(track);
      }
      const preview = this.preview;
      if (preview) {
        preview.srcObject = this.media;
        await preview.play().catch(() => undefined);
      }
      if (!this.cameras.length) {
        const devices = await navigator.mediaDevices.enumerateDevices();
        this.cameras = devices.filter((d) => d.kind === 'videoinput');
        this.mics = devices.filter((d) => d.kind === 'audioinput');
      }
    } catch (e) {
      this.error = `Camera or microphone: ${messageOf(e)}`;
    }
  }

  /** Landscape or portrait: remembered, and the camera opened again in it (live too). */
  private chooseOrientation(ev: Event): void {
    this.orientation = orientationOf((ev.target as HTMLSelectElement).value);
    localStorage.setItem(ORIENTATION, this.orientation);
    void this.openDevices();
  }

  private async create(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    const merchantId = field(f, 'merchantId');
    this.error = '';
    this.busy = true;
    try {
      const created = await streams.create({
        title: field(f, 'title'),
        ...(merchantId ? { merchantId } : {}),
      });
      keyStore.set(created.id, created.streamKey);
      publishing.clear();
      this.useStream(created);
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = false;
    }
  }

  private async goLive(): Promise<void> {
    await this.publish(0);
  }

  /**
   * Publishes again to a show waiting for its publisher. The server may still hold the old
   * session for a moment (the reload's DELETE in flight, or a closed tab it has not noticed
   * yet): that is a 409, tried again until it lets go.
   */
  private async resume(): Promise<void> {
    if (this.resuming) return;
    this.resuming = true;
    try {
      await this.updateComplete;
      await this.publish(RESUME_TRY_MS);
    } finally {
      this.resuming = false;
    }
  }

  /** WHIP to the current stream; a 409 is tried again for up to `retryMs`. */
  private async publish(retryMs: number): Promise<void> {
    const s = this.stream;
    if (!s) return;
    this.error = '';
    const key = keyStore.get(s.id);
    if (!key) {
      this.error = 'No stream key in this browser: make a new one first.';
      return;
    }
    if (!this.media) await this.openDevices();
    if (!this.media) return;
    this.busy = true;
    this.state = 'connecting';
    const until = Date.now() + retryMs;
    try {
      for (;;) {
        try {
          // Same origin as the page (the advertised whipUrl is for OBS and may name a public host).
          this.watch(await whipPublish(`/whip/${s.id}`, key, this.media));
          break;
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 409) || Date.now() > until) throw e;
          await new Promise((r) => setTimeout(r, 1000));
          // Ended meanwhile (End elsewhere, or the grace passed): nothing to resume.
          if ((await streams.get(s.id)).status === 'ended') throw e;
        }
      }
      publishing.set(s.id);
      this.stream = await streams.get(s.id);
      this.tick();
    } catch (e) {
      this.error = messageOf(e);
      const now = await streams.get(s.id).catch(() => s);
      this.stream = now;
      this.state = now.status;
    } finally {
      this.busy = false;
    }
  }

  /** Follows a WHIP session: a connection that fails is published again while the server waits. */
  private watch(whip: WhipSession): void {
    this.whip = whip;
    const follow = (): void => {
      if (this.whip !== whip) return;
      const st = whip.pc.connectionState;
      if (st === 'connected') this.state = 'live';
      if (st === 'disconnected') this.state = 'reconnecting';
      if (st === 'failed') {
        this.whip = null;
        whip.pc.close();
        this.state = 'reconnecting';
        void this.resume();
      }
    };
    whip.pc.addEventListener('connectionstatechange', follow);
    // It may have connected already, while the session was being set up.
    follow();
  }

  private askEnd(): void {
    this.confirmingEnd = true;
    void this.updateComplete.then(() => this.querySelector<HTMLDialogElement>('#end-dialog')?.showModal());
  }

  private closeEndDialog(): void {
    this.querySelector<HTMLDialogElement>('#end-dialog')?.close();
  }

  private async end(): Promise<void> {
    const s = this.stream;
    if (!s) return;
    this.closeEndDialog();
    this.busy = true;
    try {
      // End first: a DELETE of the session alone would only make the show wait for us.
      this.stream = await streams.end(s.id);
      publishing.clear();
      await this.whip?.stop();
      this.whip = null;
      this.state = 'ended';
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = false;
    }
  }

  private newStream(): void {
    publishing.clear();
    this.room?.close();
    this.room = null;
    clearInterval(this.clock);
    this.media?.getTracks().forEach((t) => t.stop());
    this.media = null;
    this.stream = null;
    this.state = '';
    this.elapsed = '';
  }

  private async rotateKey(): Promise<void> {
    if (!this.stream) return;
    try {
      const r = await streams.rotateKey(this.stream.id);
      keyStore.set(this.stream.id, r.streamKey);
      this.requestUpdate();
      toast('New stream key made; the old one no longer works.', 'ok');
    } catch (e) {
      this.error = messageOf(e);
    }
  }

  private copy(text: string): void {
    void navigator.clipboard?.writeText(text).then(() => toast('Copied.', 'ok'));
  }

  /** A read-only URL to paste into an encoder, with its Copy button (nothing when there is none). */
  private copyField(label: string, value: string | null) {
    if (!value) return nothing;
    return html`<div class="secret">
      <span>${label}</span><input readonly .value=${value} aria-label=${label} /> <span></span
      ><button type="button" class="secondary small" @click=${() => this.copy(value)}>Copy</button>
    </div>`;
  }

  /** RTMP, RTMPS and SRT: the server URLs to paste, and the encoder's state while one publishes. */
  private renderEncoderUrls(key: string | null) {
    const o = this.encoder;
    if (!o) return nothing;
    const srt = o.srtUrl && key ? `${o.srtUrl}?streamid=${encodeURIComponent(key)}` : o.srtUrl;
    const i = o.ingest;
    return html`
      ${this.copyField('RTMP server', o.rtmpUrl)} ${this.copyField('RTMPS server', o.rtmpsUrl)}
      ${this.copyField('SRT URL', srt)}
      ${
        o.rtmpUrl || o.srtUrl
          ? html`<p class="muted">
              OBS with its default settings: Settings → Stream → Service: Custom…; Server: the RTMP server;
              Stream Key: the stream key. For SRT, the server is
              <code>${o.srtUrl ?? 'srt://…'}?streamid=</code>followed by the stream key, and the key field
              stays empty. For the lowest delay set the keyframe interval to 2 s and B-frames to 0.
            </p>`
          : nothing
      }
      ${
        i
          ? html`<p id="encoder-state" role="status">
              Encoder (${i.protocol.toUpperCase()}):
              ${i.state}${
                i.state === 'live'
                  ? ` · ${i.bitrateKbps} kbit/s · ${i.fps} fps · ${i.droppedFrames} dropped`
                  : ''
              }${i.webrtcVideo === 'reencoded' ? ' · WebRTC viewers get a converted copy' : ''}
            </p>`
          : nothing
      }
      ${(i?.warnings ?? []).map(
        (w) => html`<div class="alert warn" role="note">${w.message} <strong>${w.fix}</strong></div>`,
      )}
      ${i?.lastError ? html`<div class="alert error" role="alert">${i.lastError.message}</div>` : nothing}
    `;
  }

  private renderInvitations() {
    if (!this.invitations.length) return nothing;
    return html`<section id="invitations" class="panel" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Shops inviting you</h2>
      <p class="muted">
        Accepting lets your streams sell the shop's products: you pin them during a show and its sales count
        for the shop.
      </p>
      <ul class="invitations">
        ${this.invitations.map(
          (inv) =>
            html`<li class="row spread" data-invitation=${inv.id}>
              <span
                ><strong>${inv.merchant.name}</strong>
                <span class="muted"
                  >invited you on ${new Date(inv.createdAt).toLocaleDateString()}</span
                ></span
              >
              <span class="row">
                <button
                  type="button"
                  class="small"
                  ?disabled=${this.busy}
                  @click=${() => this.answer(inv, true)}
                >
                  Accept
                </button>
                <button
                  type="button"
                  class="secondary small"
                  ?disabled=${this.busy}
                  @click=${() => this.answer(inv, false)}
                >
                  Decline
                </button>
              </span>
            </li>`,
        )}
      </ul>
    </section>`;
  }

  /** The shop select: the shops you accepted, the first chosen unless told otherwise. */
  private renderShopSelect(current: string | null) {
    return html`<select name="merchantId" aria-label="Shop">
      ${this.shops.map(
        (m) => html`<option value=${m.merchantId} ?selected=${m.merchantId === current}>${m.name}</option>`,
      )}
      <option value="" ?selected=${current === ''}>No shop (nothing to sell)</option>
    </select>`;
  }

  private renderNoShop() {
    return html`<p class="muted" data-testid="no-shop">
      To sell during a show, a shop links you to it: it invites your email
      (${session.user?.email ?? 'your email'}) and you accept here. A linked stream can pin the shop's
      products with flash sales, and its orders and sales figures go to the shop. Without a shop you can still
      stream.
    </p>`;
  }

  private renderCreate() {
    return html`${this.renderInvitations()}
      <section id="broadcast" class="panel">
        <h1>New stream</h1>
        <form id="create-stream" class="stack narrow" @submit=${this.create}>
          <label class="field"
            >Title <input name="title" placeholder="What are you showing today?" maxlength="140" required
          /></label>
          ${
            this.shops.length
              ? html`<label class="field"
                  >Shop ${this.renderShopSelect(this.shops[0]?.merchantId ?? '')}</label
                >`
              : this.renderNoShop()
          }
          <div><button type="submit" ?disabled=${this.busy}>Create stream</button></div>
          <div class="alert error" role="alert">${this.error}</div>
        </form>
      </section>`;
  }

  /** Before going live the shop can be attached or changed; afterwards it is shown. */
  private renderShop(s: Stream) {
    if (s.status !== 'created') {
      return html`<p id="stream-shop" class="muted">
        ${s.shop ? html`Selling for <strong>${s.shop.name}</strong>` : 'No shop: nothing to sell in this show.'}
      </p>`;
    }
    if (!this.shops.length) return this.renderNoShop();
    return html`<form id="stream-shop" class="row" @submit=${this.changeShop}>
      <label class="field inline">Shop ${this.renderShopSelect(s.merchantId ?? '')}</label>
      <button type="submit" class="secondary small" ?disabled=${this.busy}>
        ${s.merchantId ? 'Change shop' : 'Attach shop'}
      </button>
    </form>`;
  }

  private renderEndDialog() {
    if (!this.confirmingEnd) return nothing;
    return html`<dialog
      id="end-dialog"
      class="sheet"
      aria-labelledby="end-title"
      @close=${() => (this.confirmingEnd = false)}
    >
      <header><h2 id="end-title">End the show?</h2></header>
      <p>
        Viewers see that it ended and it cannot go live again; its replay stays. To take a break or fix your
        camera, just reload: the show waits for you.
      </p>
      <div class="form-actions">
        <button id="end-confirm" type="button" class="danger" @click=${this.end}>End the show</button>
        <button type="button" class="secondary" @click=${this.closeEndDialog}>Keep streaming</button>
      </div>
    </dialog>`;
  }

  /** A camera or microphone picker (reopenDevices reads it by name); a device without a label shows `label`. */
  private renderDevicePicker(label: string, name: string, devices: MediaDeviceInfo[], disabled: boolean) {
    return html`<label class="field"
      >${label}
      <select name=${name} @change=${this.openDevices} ?disabled=${disabled}>
        ${devices.map((d) => html`<option value=${d.deviceId}>${d.label || label}</option>`)}
      </select>
    </label>`;
  }

  private renderControls(s: Stream) {
    const key = keyStore.get(s.id);
    const live = this.state === 'live';
    const ended = this.state === 'ended';
    const waiting = this.state === 'reconnecting' || this.resuming;
    const room = this.room;
    return html`${this.renderInvitations()}
      <section id="broadcast" class="panel" aria-label="Broadcast">
        <div class="row">
          <strong>${s.title}</strong>
          <span id="broadcast-state" class="badge ${live ? 'live' : ''}">${this.state}</span>
          <span id="elapsed" class="muted">${this.elapsed}</span>
          <span id="viewers" class="muted">${room?.joined && !ended ? `${room.viewers} watching` : ''}</span>
        </div>
        <div class="row">
          ${this.renderDevicePicker('Camera', 'camera', this.cameras, ended)}
          ${this.renderDevicePicker('Microphone', 'mic', this.mics, ended)}
          <label class="field"
            >Orientation
            <select name="orientation" @change=${this.chooseOrientation} ?disabled=${ended}>
              ${ORIENTATIONS.map(
                (o) =>
                  html`<option value=${o} ?selected=${o === this.orientation}>
                    ${ORIENTATION_LABELS[o]}
                  </option>`,
              )}
            </select>
          </label>
          <button
            id="go-live"
            type="button"
            ?disabled=${this.busy || live || ended || this.state === 'connecting' || this.resuming}
            @click=${this.goLive}
          >
            ${(s.status === 'live' || s.status === 'reconnecting') && !live ? 'Resume the show' : 'Go live'}
          </button>
          <button id="end" type="button" class="secondary" ?disabled=${ended} @click=${this.askEnd}>
            End stream
          </button>
          ${ended ? html`<button type="button" @click=${this.newStream}>Start a new stream</button>` : nothing}
        </div>
        ${this.renderShop(s)}
        ${
          waiting && !ended
            ? html`<p id="resume-note" class="alert" role="status">
                ${this.resuming ? 'Resuming your show…' : 'Your show is waiting for you.'}
                ${
                  s.reconnectUntil
                    ? html`Viewers see “reconnecting” until
                      ${new Date(s.reconnectUntil).toLocaleTimeString()}.`
                    : nothing
                }
              </p>`
            : nothing
        }
        <div class="alert error" role="alert">${this.error}</div>
        <details>
          <summary>Stream from OBS or an encoder (WHIP, RTMP, SRT)</summary>
          ${this.copyField('WHIP URL', s.whipUrl)}
          ${
            key
              ? html`<div class="secret">
                  <span>Stream key</span
                  ><input
                    readonly
                    type=${this.showKey ? 'text' : 'password'}
                    .value=${key}
                    aria-label="Stream key"
                  />
                  <button
                    type="button"
                    class="secondary small"
                    @click=${() => (this.showKey = !this.showKey)}
                  >
                    ${this.showKey ? 'Hide' : 'Show'}
                  </button>
                  <button type="button" class="secondary small" @click=${() => this.copy(key)}>Copy</button>
                </div>`
              : html`<p>
                  <span class="muted">The stream key is shown once. </span>
                  <button type="button" class="secondary small" @click=${this.rotateKey}>
                    New stream key
                  </button>
                </p>`
          }
          <p class="muted">
            OBS 30+: Settings → Stream → Service: WHIP; paste the URL and the key as Bearer Token.
          </p>
          ${this.renderEncoderUrls(key)}
        </details>
      </section>
      ${this.renderEndDialog()}`;
  }

  override render() {
    if (!session.can('streamer')) {
      return html`<section class="empty">
        <p>
          ${
            session.user
              ? 'The studio is for streamers. Ask an admin for the streamer role.'
              : 'Sign in as a streamer to go live.'
          }
        </p>
        <a class="btn" href=${loginUrl('/studio')}>Sign in</a>
      </section>`;
    }
    if (!this.loaded) return html`<p class="muted" role="status">Loading…</p>`;
    const s = this.stream;
    if (!s) return this.renderCreate();
    return html`<div class="room">
      <section class="stage">
        <div class="preview ${this.orientation}">
          <video id="preview" playsinline autoplay muted aria-label="Camera preview"></video>
        </div>
        ${this.renderControls(s)}
        <lc-pin-panel .streamId=${s.id} .merchantId=${s.merchantId} .room=${this.room}></lc-pin-panel>
        <div id="gmv" class="panel" role="status" ?hidden=${!this.gmv}>${this.gmv}</div>
      </section>
      <lc-chat id="chat" moderate .room=${this.room}></lc-chat>
    </div>`;
  }
}
customElements.define('lc-studio', LcStudio);

mount(html`<lc-studio></lc-studio>`, { wide: true });
