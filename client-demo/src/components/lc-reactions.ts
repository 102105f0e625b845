// <lc-reactions> (the buttons and the like count) and <lc-hearts> (the
// hearts floating over the video). The clicker sees their own heart at once;
// the room's reactions arrive summed per window and float for everyone else.
import { html, type PropertyValues } from 'lit';
import type { ReactionKind } from '@shared/room/protocol';
import type { LiveRoom } from '../room/live-room';
import { LightElement } from './light-element';

const REACTIONS: { kind: ReactionKind; label: string; title: string }[] = [
  { kind: 'like', label: '♥', title: 'Like' },
  { kind: 'fire', label: '🔥', title: 'Fire' },
  { kind: 'clap', label: '👏', title: 'Clap' },
  { kind: 'laugh', label: '😂', title: 'Laugh' },
  { kind: 'wow', label: '😮', title: 'Wow' },
];
const EMOJI: Record<string, string> = {
  like: '♥',
  heart: '❤',
  fire: '🔥',
  clap: '👏',
  laugh: '😂',
  wow: '😮',
};
const MAX_HEARTS = 40;

export class LcHearts extends HTMLElement {
  float(kind: string): void {
    if (this.childElementCount >= MAX_HEARTS) return;
    const h = document.createElement('span');
    h.className = `lc-heart ${kind}`;
    h.textContent = EMOJI[kind] ?? '♥';
    // CSSOM, not a style attribute: allowed under the pages' style-src 'self'.
    h.style.left = `${Math.round(Math.random() * 30)}px`;
    h.style.setProperty('--lc-dx', `${Math.round(Math.random() * 40 - 20)}px`);
    h.addEventListener('animationend', () => h.remove());
    this.append(h);
  }
}
customElements.define('lc-hearts', LcHearts);

export class LcReactions extends LightElement {
  static override properties = { room: { attribute: false }, hearts: { attribute: false } };
  room: LiveRoom | null = null;
  hearts: LcHearts | null = null;
  private ownClicks = 0;
  private off: (() => void) | null = null;

  override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('room')) return;
    this.off?.();
    const room = this.room;
    if (!room) return;
    const offs = [
      room.on('reactions', ({ counts }) => this.onReactions(counts)),
      room.on('change', () => this.requestUpdate()),
    ];
    this.off = () => offs.forEach((f) => f());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
  }

  private onReactions(counts: Record<string, number>): void {
    let own = this.ownClicks;
    for (const [kind, n] of Object.entries(counts)) {
      const mine = Math.min(own, n);
      own -= mine;
      for (let i = 0; i < Math.min(n - mine, 8); i++) setTimeout(() => this.hearts?.float(kind), i * 90);
    }
    this.ownClicks = own;
    this.requestUpdate();
  }

  private react(kind: ReactionKind): void {
    if (!this.room) return;
    this.room.react(kind);
    this.ownClicks++;
    this.hearts?.float(kind);
  }

  override render() {
    const ended = this.room?.status === 'ended';
    return html`<span class="lc-react" role="group" aria-label="Reactions">
      ${REACTIONS.map(
        (r) =>
          html`<button
            type="button"
            class=${r.kind === 'like' ? 'lc-like small' : 'small'}
            title=${r.title}
            aria-label=${r.title}
            ?disabled=${ended}
            @click=${() => this.react(r.kind)}
          >
            ${r.label}${r.kind === 'like' ? html` <span>${this.room?.likes ?? 0}</span>` : ''}
          </button>`,
      )}
    </span>`;
  }
}
customElements.define('lc-reactions', LcReactions);
