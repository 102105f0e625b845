// /studio : the streamer's desk. Create a stream (for one of the shops you
// are linked to), pick camera and microphone, see a preview, go live from the
// browser over WHIP (or copy the WHIP URL and stream key into OBS), watch
// state, elapsed time and viewers, pin products, moderate the chat, end.
import { html, nothing } from 'lit';
import { streamer, streams } from '../api/client';
import { messageOf } from '../api/errors';
import { loginUrl, session } from '../api/session';
import type { LinkedMerchant, Stream } from '../api/types';
import '../components/lc-chat';
import '../components/lc-moderation';
import '../components/lc-pin-panel';
import { LightElement } from '../components/light-element';
import { toast } from '../components/toast';
import { formatMoney } from '../lib/money';
import { whipPublish, type WhipSession } from '../player/webrtc';
import { LiveRoom } from '../room/live-room';
import { field, mount, setTitle } from './page';

const keyStore = {
  get: (id: string) => localStorage.getItem(`livecart.streamKey.${id}`),
  set: (id: string, key: string) => localStorage.setItem(`livecart.streamKey.${id}`, key),
};

function hhmmss(seconds: number): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(Math.floor(seconds / 3600))}:${p(Math.floor((seconds % 3600) / 60))}:${p(seconds % 60)}`;
}

class LcStudio extends LightElement {
  static override properties = {
    stream: { state: true },
    loaded: { state: true },
    state: { state: true },
    error: { state: true },
    elapsed: { state: true },
    cameras: { state: true },
    mics: { state: true },
    shops: { state: true },
    busy: { state: true },
    showKey: { state: true },
    gmv: { state: true },
  };
  declare stream: Stream | null;
  declare loaded: boolean;
  declare state: string;
  declare error: string;
  declare elapsed: string;
  declare cameras: MediaDeviceInfo[];
  declare mics: MediaDeviceInfo[];
  declare shops: LinkedMerchant[];
  declare busy: boolean;
  declare showKey: boolean;
  declare gmv: string;

  private media: MediaStream | null = null;
  private whip: WhipSession | null = null;
  private room: LiveRoom | null = null;
  private clock: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.stream = null;
    this.loaded = false;
    this.state = '';
    this.error = '';
    this.elapsed = '';
    this.cameras = [];
    this.mics = [];
    this.shops = [];
    this.busy = false;
    this.showKey = false;
    this.gmv = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (session.can('streamer')) void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [mine, shops] = await Promise.all([
        streams.mine(),
        streamer.merchants().catch(() => ({ items: [] as LinkedMerchant[] })),
      ]);
      this.shops = shops.items;
      this.loaded = true;
      const open = mine.items.find((s) => s.status !== 'ended') ?? null;
      if (open) this.useStream(open);
    } catch (e) {
      this.error = messageOf(e);
      this.loaded = true;
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
    const started = this.stream?.startedAt;
    if (!started || this.state === 'ended') return;
    this.elapsed = hhmmss(Math.max(0, Math.floor((Date.now() - Date.parse(started)) / 1000)));
  }

  private get preview(): HTMLVideoElement | null {
    return this.querySelector('#preview');
  }

  private async openDevices(): Promise<void> {
    const camera = this.querySelector<HTMLSelectElement>('select[name=camera]')?.value;
    const mic = this.querySelector<HTMLSelectElement>('select[name=mic]')?.value;
    try {
      this.media?.getTracks().forEach((t) => t.stop());
      this.media = await navigator.mediaDevices.getUserMedia({
        video: camera
          ? { deviceId: { exact: camera }, width: 1280, height: 720 }
          : { width: 1280, height: 720 },
        audio: mic ? { deviceId: { exact: mic } } : true,
      });
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
      this.useStream(created);
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = false;
    }
  }

  private async goLive(): Promise<void> {
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
    try {
      // Same origin as the page (the advertised whipUrl is for OBS and may name a public host).
      const whip = await whipPublish(`/whip/${s.id}`, key, this.media);
      this.whip = whip;
      whip.pc.addEventListener('connectionstatechange', () => {
        const st = whip.pc.connectionState;
        if (st === 'connected') this.state = 'live';
        if (st === 'failed' || st === 'disconnected') {
          this.state = st;
          this.error = 'Connection lost. Go live again to reconnect.';
        }
      });
      this.stream = await streams.get(s.id);
      this.tick();
    } catch (e) {
      this.error = messageOf(e);
      this.state = s.status;
    } finally {
      this.busy = false;
    }
  }

  private async end(): Promise<void> {
    const s = this.stream;
    if (!s) return;
    this.busy = true;
    try {
      await this.whip?.stop();
      this.whip = null;
      this.stream = await streams.end(s.id);
      this.state = 'ended';
    } catch (e) {
      this.error = messageOf(e);
    } finally {
      this.busy = false;
    }
  }

  private newStream(): void {
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

  private renderCreate() {
    return html`<section id="broadcast" class="panel">
      <h1>New stream</h1>
      <form id="create-stream" class="stack narrow" @submit=${this.create}>
        <label class="field"
          >Title <input name="title" placeholder="What are you showing today?" maxlength="140" required
        /></label>
        <label class="field"
          >Shop
          <select name="merchantId">
            <option value="">No shop (nothing to sell)</option>
            ${this.shops.map((m) => html`<option value=${m.merchantId}>${m.name}</option>`)}
          </select>
        </label>
        <div><button type="submit" ?disabled=${this.busy}>Create stream</button></div>
        <div class="alert error" role="alert">${this.error}</div>
      </form>
    </section>`;
  }

  private renderControls(s: Stream) {
    const key = keyStore.get(s.id);
    const live = this.state === 'live';
    const ended = this.state === 'ended';
    const room = this.room;
    return html`<section id="broadcast" class="panel" aria-label="Broadcast">
      <div class="row">
        <strong>${s.title}</strong>
        <span id="broadcast-state" class="badge ${live ? 'live' : ''}">${this.state}</span>
        <span id="elapsed" class="muted">${this.elapsed}</span>
        <span id="viewers" class="muted">${room?.joined && !ended ? `${room.viewers} watching` : ''}</span>
      </div>
      <div class="row">
        <label class="field"
          >Camera
          <select name="camera" @change=${this.openDevices} ?disabled=${ended}>
            ${this.cameras.map((d) => html`<option value=${d.deviceId}>${d.label || 'Camera'}</option>`)}
          </select>
        </label>
        <label class="field"
          >Microphone
          <select name="mic" @change=${this.openDevices} ?disabled=${ended}>
            ${this.mics.map((d) => html`<option value=${d.deviceId}>${d.label || 'Microphone'}</option>`)}
          </select>
        </label>
        <button
          id="go-live"
          type="button"
          ?disabled=${this.busy || live || ended || this.state === 'connecting'}
          @click=${this.goLive}
        >
          Go live
        </button>
        <button id="end" type="button" class="secondary" ?disabled=${this.busy || ended} @click=${this.end}>
          End stream
        </button>
        ${ended ? html`<button type="button" @click=${this.newStream}>Start a new stream</button>` : nothing}
      </div>
      <div class="alert error" role="alert">${this.error}</div>
      <details>
        <summary>Stream from OBS (WHIP)</summary>
        <div class="secret">
          <span>WHIP URL</span><input readonly .value=${s.whipUrl} aria-label="WHIP URL" /> <span></span
          ><button type="button" class="secondary small" @click=${() => this.copy(s.whipUrl)}>Copy</button>
        </div>
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
                <button type="button" class="secondary small" @click=${() => (this.showKey = !this.showKey)}>
                  ${this.showKey ? 'Hide' : 'Show'}
                </button>
                <button type="button" class="secondary small" @click=${() => this.copy(key)}>Copy</button>
              </div>`
            : html`<p>
                <span class="muted">The stream key is shown once. </span>
                <button type="button" class="secondary small" @click=${this.rotateKey}>New stream key</button>
              </p>`
        }
        <p class="muted">
          OBS 30+: Settings → Stream → Service: WHIP; paste the URL and the key as Bearer Token.
        </p>
      </details>
    </section>`;
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
        <div class="preview">
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

setTitle('Studio');
mount(html`<lc-studio></lc-studio>`);
