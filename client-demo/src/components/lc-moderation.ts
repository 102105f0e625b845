// <lc-moderation>: the studio's chat settings: slow mode and hidden words.
import { html, type PropertyValues } from 'lit';
import { moderation } from '../api/client';
import { messageOf } from '../api/errors';
import { LightElement, states } from './light-element';

const SLOW_MODES = [0, 3, 5, 10, 30, 60, 120];

export class LcModeration extends LightElement {
  static override properties = {
    streamId: { attribute: false },
    ...states<LcModeration>('slow', 'words', 'status'),
  };
  streamId = '';
  slow = 0;
  words = '';
  status: { text: string; error: boolean } = { text: '', error: false };

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('streamId') && this.streamId) void this.load();
  }

  private async load(): Promise<void> {
    try {
      const s = await moderation.get(this.streamId);
      this.slow = SLOW_MODES.includes(s.slowModeSeconds) ? s.slowModeSeconds : 0;
      this.words = s.words.join(', ');
    } catch (e) {
      this.status = { text: `Moderation settings: ${messageOf(e)}`, error: true };
    }
  }

  private async setSlow(ev: Event): Promise<void> {
    const seconds = Number((ev.target as HTMLSelectElement).value);
    try {
      const r = await moderation.act(this.streamId, { action: 'slow-mode', seconds });
      this.slow = r.slowModeSeconds;
      this.status = {
        text: r.slowModeSeconds ? `Slow mode on: ${r.slowModeSeconds} s.` : 'Slow mode off.',
        error: false,
      };
    } catch (e) {
      this.status = { text: messageOf(e), error: true };
    }
  }

  private async saveWords(): Promise<void> {
    const area = this.querySelector('textarea');
    const list = (area?.value ?? '')
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean);
    try {
      const r = await moderation.act(this.streamId, { action: 'words', words: list });
      this.words = r.words.join(', ');
      const n = r.words.length;
      this.status = {
        text: n ? `${n} hidden word${n === 1 ? '' : 's'}.` : 'Word list cleared.',
        error: false,
      };
    } catch (e) {
      this.status = { text: messageOf(e), error: true };
    }
  }

  override render() {
    return html`<details class="moderation">
      <summary>Moderation</summary>
      <div class="stack">
        <label class="field"
          >Slow mode
          <select aria-label="Slow mode" .value=${String(this.slow)} @change=${this.setSlow}>
            ${SLOW_MODES.map(
              (s) =>
                html`<option value=${s} ?selected=${s === this.slow}>
                  ${s === 0 ? 'Off' : `One message every ${s} s`}
                </option>`,
            )}
          </select>
        </label>
        <label class="field"
          >Hidden words (comma-separated)
          <textarea rows="2" .value=${this.words}></textarea>
        </label>
        <div><button type="button" class="small" @click=${this.saveWords}>Save words</button></div>
        <div
          class=${this.status.error ? 'alert error' : 'muted'}
          role=${this.status.error ? 'alert' : 'status'}
        >
          ${this.status.text}
        </div>
      </div>
    </details>`;
  }
}

customElements.define('lc-moderation', LcModeration);
