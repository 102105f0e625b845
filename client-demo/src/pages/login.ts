// /login: sign in, or create an account (viewer, streamer or merchant).
import { html } from 'lit';
import { auth } from '../api/client';
import { messageOf } from '../api/errors';
import { safeNext, session, type SignedIn } from '../api/session';
import type { Role } from '../api/types';
import { LightElement, states } from '../components/light-element';
import { field, mount } from './page';

class LcLogin extends LightElement {
  static override properties = states<LcLogin>('loginError', 'registerError', 'busy');
  loginError = '';
  registerError = '';
  busy = false;

  private done(): void {
    location.href = safeNext(new URLSearchParams(location.search).get('next'));
  }

  /**
   * Signs in with what the submitted form holds: `request` sends it, the session is saved and the page
   * goes on; a refusal is shown by `failed`.
   */
  private async submit(
    ev: SubmitEvent,
    request: (f: FormData) => Promise<SignedIn>,
    failed: (message: string) => void,
  ): Promise<void> {
    ev.preventDefault();
    const f = new FormData(ev.target as HTMLFormElement);
    this.busy = true;
    try {
      session.save(await request(f));
      this.done();
    } catch (e) {
      failed(messageOf(e));
    } finally {
      this.busy = false;
    }
  }

  private login(ev: SubmitEvent): Promise<void> {
    return this.submit(
      ev,
      (f) => auth.login({ email: field(f, 'email'), password: field(f, 'password') }),
      (message) => (this.loginError = message),
    );
  }

  private register(ev: SubmitEvent): Promise<void> {
    return this.submit(
      ev,
      (f) =>
        auth.register({
          name: field(f, 'name'),
          email: field(f, 'email'),
          password: field(f, 'password'),
          role: field(f, 'role') as Role,
        }),
      (message) => (this.registerError = message),
    );
  }

  override render() {
    return html`<h1>Sign in</h1>
      <form id="login" class="stack narrow" @submit=${this.login}>
        <label class="field"
          >Email <input name="email" type="email" autocomplete="username" required
        /></label>
        <label class="field"
          >Password <input name="password" type="password" autocomplete="current-password" required
        /></label>
        <div><button type="submit" ?disabled=${this.busy}>Sign in</button></div>
        <div class="alert error" id="login-error" role="alert">${this.loginError}</div>
      </form>
      <h2>New here?</h2>
      <form id="register" class="stack narrow" @submit=${this.register}>
        <label class="field">Display name <input name="name" required maxlength="60" /></label>
        <label class="field"
          >Email <input name="email" type="email" autocomplete="username" required
        /></label>
        <label class="field"
          >Password (8 characters or more)
          <input name="password" type="password" autocomplete="new-password" minlength="8" required
        /></label>
        <label class="field"
          >I want to
          <select name="role">
            <option value="viewer">watch and shop</option>
            <option value="streamer">stream</option>
            <option value="merchant">sell</option>
          </select>
        </label>
        <div><button type="submit" ?disabled=${this.busy}>Create account</button></div>
        <div class="alert error" id="register-error" role="alert">${this.registerError}</div>
      </form>`;
  }
}
customElements.define('lc-login', LcLogin);

mount(html`<lc-login></lc-login>`);
