import { LitElement, type PropertyDeclarations } from 'lit';

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

/**
 * Lit's declarations of an element's internal state: setting any of these
 * fields re-renders it. The fields are initialised where they are declared
 * (`useDefineForClassFields` is off, so the initialisers go through Lit's
 * accessors): `static override properties = states<LcX>('items', 'error');`.
 */
export function states<T extends HTMLElement>(...names: (keyof T & string)[]): PropertyDeclarations {
  return Object.fromEntries(names.map((name) => [name, { state: true }]));
}
