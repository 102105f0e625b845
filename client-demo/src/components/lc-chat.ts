// <lc-chat>: the room's chat panel. Lines are text (Lit escapes every
// binding; nothing user-provided reaches innerHTML). In the studio
// (`moderate`) each line gets delete, mute and ban.
import { html, nothing, type PropertyValues } from 'lit';
import type { ChatMessage } from '@shared/room/protocol';
import { moderation } from '../api/client';
import { loginUrl, session } from '../api/session';
import { messageOf } from '../api/errors';
import type { LiveRoom } from '../room/live-room';
import { LightElement, states } from './light-element';
import { toast } from './toast';

interface Line {
  key: string;
  message?: ChatMessage;
  system?: string;
  hidden?: boolean;
}

const MAX_LINES = 200;

export class LcChat extends LightElement {
  static override properties = {
    room: { attribute: false },
    moderate: { type: Boolean },
    ...states<LcChat>('lines', 'note', 'sending'),
  };

  room: LiveRoom | null = null;
  moderate = false;
  lines: Line[] = [];
  note: { text: string; error: boolean } = { text: '', error: false };
  sending = false;
  private off: (() => void)[] = [];
  private systemSeq = 0;

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('room')) this.subscribe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off.forEach((f) => f());
  }

  private subscribe(): void {
    this.off.forEach((f) => f());
    const room = this.room;
    if (!room) return;
    this.off = [
      room.on('reset', () => {
        this.lines = room.messages.map((m) => ({ key: m.id, message: m }));
        if (room.slowModeSeconds) this.setNote(`Slow mode: one message every ${room.slowModeSeconds} s.`);
        this.stickToBottom();
      }),
      room.on('message', ({ message, hidden }) => this.add({ key: message.id, message, hidden })),
      room.on('deleted', ({ id }) => (this.lines = this.lines.filter((l) => l.key !== id))),
      room.on('system', ({ text }) => this.add({ key: `sys-${++this.systemSeq}`, system: text })),
      room.on('note', (n) => (this.note = n)),
      room.on('change', () => this.requestUpdate()),
    ];
  }

  private setNote(text: string, error = false): void {
    this.note = { text, error };
  }

  private get list(): HTMLElement | null {
    return this.querySelector('.chat-list');
  }

  private add(line: Line): void {
    if (line.message && this.lines.some((l) => l.key === line.key)) return;
    const list = this.list;
    const stick = !list || list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    this.lines = [...this.lines.slice(-(MAX_LINES - 1)), line];
    if (stick) this.stickToBottom();
  }

  private stickToBottom(): void {
    void this.updateComplete.then(() => {
      const list = this.list;
      if (list) list.scrollTop = list.scrollHeight;
    });
  }

  private async send(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const input = this.querySelector<HTMLInputElement>('.chat-form input');
    if (!input || !this.room) return;
    this.sending = true;
    try {
      await this.room.send(input.value);
      input.value = '';
      this.setNote(
        this.room.slowModeSeconds ? `Slow mode: one message every ${this.room.slowModeSeconds} s.` : '',
      );
    } catch (e) {
      this.setNote(messageOf(e), true);
    } finally {
      this.sending = false;
    }
  }

  private async act(label: string, body: Parameters<typeof moderation.act>[1], done: string): Promise<void> {
    if (!this.room) return;
    try {
      await moderation.act(this.room.streamId, body);
      toast(done, 'ok');
    } catch (e) {
      toast(`${label}: ${messageOf(e)}`, 'error');
    }
  }

  private modButtons(m: ChatMessage) {
    const me = session.user;
    if (!this.moderate || (me && m.user.id === me.id)) return nothing;
    const name = m.user.name;
    return html`<span class="lc-mod">
      <button
        type="button"
        class="small secondary"
        aria-label=${`Delete this message from ${name}`}
        @click=${() => this.act('Delete', { action: 'delete', messageId: m.id }, 'Message deleted.')}
      >
        Delete
      </button>
      <button
        type="button"
        class="small secondary"
        aria-label=${`Mute ${name} for 10 minutes`}
        @click=${() =>
          this.act(
            'Mute',
            { action: 'mute', userId: m.user.id, minutes: 10 },
            `${name} is muted for 10 minutes.`,
          )}
      >
        Mute 10m
      </button>
      <button
        type="button"
        class="small secondary"
        aria-label=${`Ban ${name} from this chat`}
        @click=${() => this.act('Ban', { action: 'ban', userId: m.user.id }, `${name} is banned from this chat.`)}
      >
        Ban
      </button>
    </span>`;
  }

  private line(l: Line) {
    if (l.system !== undefined) return html`<li class="lc-line lc-system">${l.system}</li>`;
    const m = l.message!;
    const mine = session.user?.id === m.user.id;
    return html`<li
      class="lc-line${mine ? ' lc-mine' : ''}${l.hidden ? ' lc-hidden' : ''}"
      data-id=${m.id}
      title=${new Date(m.at).toLocaleTimeString()}
    >
      <span class="lc-name">${m.user.name}</span><span class="lc-text">${m.text}</span>
      ${l.hidden ? html`<span class="lc-note">Only you can see this: it matches the stream's word filter.</span>` : nothing}
      ${this.modButtons(m)}
    </li>`;
  }

  override render() {
    const room = this.room;
    const ended = room?.status === 'ended';
    const signedIn = session.user !== null;
    return html`<section class="chat panel" aria-label="Chat">
      <div class="chat-head">
        <span>Chat</span>
        <span class="muted">${room && !ended && room.joined ? `${room.viewers} watching` : ''}</span>
      </div>
      ${this.moderate && room ? html`<lc-moderation .streamId=${room.streamId}></lc-moderation>` : nothing}
      <!-- A list that announces its new lines: role="log" would hide the list (and its items' place in it). -->
      <ol class="chat-list" aria-live="polite" aria-relevant="additions" aria-label="Chat messages">
        ${this.lines.map((l) => this.line(l))}
      </ol>
      ${
        signedIn
          ? html`<form class="chat-form" @submit=${this.send}>
              <input
                type="text"
                maxlength="500"
                placeholder=${ended ? 'The stream has ended' : 'Say something…'}
                aria-label="Chat message"
                ?disabled=${ended}
              />
              <button type="submit" ?disabled=${ended || this.sending}>Send</button>
            </form>`
          : html`<div class="chat-note"><a href=${loginUrl()}>Sign in</a> to chat.</div>`
      }
      <div class="chat-note${this.note.error ? ' error' : ''}" role=${this.note.error ? 'alert' : 'status'}>
        ${this.note.text}
      </div>
    </section>`;
  }
}

customElements.define('lc-chat', LcChat);
