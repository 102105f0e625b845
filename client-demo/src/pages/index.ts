// / : the streams live now, refreshed every 10 s, and the recent replays
// (each opens on its watch page, which plays it with the video's controls).
import { html, nothing } from 'lit';
import { replays, streams } from '../api/client';
import { messageOf } from '../api/errors';
import type { Stream } from '../api/types';
import { LightElement, states } from '../components/light-element';
import { mount } from './page';

class LcLiveNow extends LightElement {
  static override properties = states<LcLiveNow>('items', 'error', 'replayItems');
  items: Stream[] | null = null;
  error = '';
  replayItems: Stream[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 10_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    // Replays are extra: the live list is what the page is for, so their failure stays quiet.
    void replays
      .recent()
      .then((r) => (this.replayItems = r.items))
      .catch(() => undefined);
    try {
      this.items = (await streams.live()).items;
      this.error = '';
    } catch (e) {
      this.error = `Could not load streams: ${messageOf(e)}`;
    }
  }

  override render() {
    return html`<h1>Live now</h1>
      <div class="alert error" role="alert">${this.error}</div>
      <div id="streams" class="grid" aria-live="polite">
        ${
          this.items?.length === 0
            ? html`<div class="empty">Nobody is live right now. Streamers go live from the Studio.</div>`
            : nothing
        }
        ${(this.items ?? []).map(
          (s) =>
            html`<a class="card" href=${`/watch/${s.id}`} data-stream-id=${s.id}>
              <div class="thumb">
                <img src=${`/hls/${s.id}/poster.jpg`} alt="" loading="lazy" @error=${hide} />
                <span class="badge live">Live</span>
              </div>
              <div class="body">
                <div>${s.title}</div>
                <div class="muted">
                  since ${s.startedAt ? new Date(s.startedAt).toLocaleTimeString() : '–'}
                </div>
              </div>
            </a>`,
        )}
      </div>
      ${
        this.replayItems.length
          ? html`<section id="replays" aria-labelledby="replays-title">
              <h2 id="replays-title">Recent replays</h2>
              <div class="grid">
                ${this.replayItems.map(
                  (s) =>
                    html`<a class="card" href=${`/watch/${s.id}`} data-replay-id=${s.id}>
                      <div class="thumb">
                        ${s.posterUrl ? html`<img src=${s.posterUrl} alt="" loading="lazy" @error=${hide} />` : nothing}
                        <span class="badge replay">Replay</span>
                      </div>
                      <div class="body">
                        <div>${s.title}</div>
                        <div class="muted">
                          ${s.shop ? `${s.shop.name} · ` : ''}ended
                          ${s.endedAt ? new Date(s.endedAt).toLocaleString() : ''}
                        </div>
                      </div>
                    </a>`,
                )}
              </div>
            </section>`
          : nothing
      }
      <p class="muted">
        Self-hosted live shopping: WHIP/WHEP ingest, LL-HLS, chat and in-stream checkout. The REST API is
        documented at <a href="/api/docs">/api/docs</a>.
      </p>`;
  }
}
customElements.define('lc-live-now', LcLiveNow);

function hide(e: Event): void {
  (e.target as HTMLElement).hidden = true;
}

mount(html`<lc-live-now></lc-live-now>`);
