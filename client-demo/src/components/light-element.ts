import { LitElement } from 'lit';

/**
 * A Lit element that renders into itself (no shadow root), so the page's one
 * stylesheet styles it and tests and assistive tech see plain markup. Only the
 * player, which other sites will embed, keeps a shadow root.
 */
export class LightElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }
}
