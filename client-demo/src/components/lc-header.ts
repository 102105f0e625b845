// <lc-header>: the site header, with links by role. Upcoming pages (replays,
// invitations, webhooks) add their link here, next to the role that sees it.
import { html, nothing } from 'lit';
import { session, signOut } from '../api/session';
import { LightElement } from './light-element';

interface NavLink {
  href: string;
  text: string;
  show: () => boolean;
}

const LINKS: NavLink[] = [
  { href: '/studio', text: 'Studio', show: () => session.can('streamer') },
  { href: '/merchant', text: 'Shop', show: () => session.can('merchant') },
  { href: '/merchant/orders', text: 'Orders', show: () => session.can('merchant') },
  { href: '/merchant/reports', text: 'Reports', show: () => session.can('merchant') },
  { href: '/merchant/webhooks', text: 'Webhooks', show: () => session.can('merchant') },
  { href: '/orders', text: 'My orders', show: () => session.user !== null },
];

export class LcHeader extends LightElement {
  override render() {
    const user = session.user;
    const here = location.pathname.replace(/\/$/, '') || '/';
    return html`<header class="site-header">
      <a class="brand" href="/">live<span>cart</span></a>
      <nav aria-label="Main">
        ${LINKS.filter((l) => l.show()).map(
          (l) => html`<a href=${l.href} aria-current=${here === l.href ? 'page' : nothing}>${l.text}</a>`,
        )}
        ${
          user
            ? html`<span class="muted">${user.name}</span>
                <button type="button" class="link-button" @click=${this.signOut}>Sign out</button>`
            : html`<a href="/login">Sign in</a>`
        }
        <a href="/api/docs">API</a>
      </nav>
    </header>`;
  }

  private async signOut(): Promise<void> {
    await signOut();
    location.href = '/';
  }
}

customElements.define('lc-header', LcHeader);
