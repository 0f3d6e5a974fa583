/**
 * The platform's white-label branding in the page: read once per page load from
 * `GET /platform/configuration/branding` without a key (the sign-in page shows it too), applied
 * to the document title, the primary colour (CSS custom properties set through the CSSOM, which
 * the CSP allows, unlike inline styles) and the favicon, and shown by {@link BrandMark}. The logo
 * is an `<img>` of the api's logo route, never inlined markup.
 */
import { useEffect, useState } from 'preact/hooks';
import { API_PREFIX } from './api';
import { DEFAULT_PRIMARY, inkFor, isHexColor, textColorFor } from './theme';

/** The public branding fields the console uses. */
export interface Branding {
  name: string;
  primary_color: string;
  /** A same-origin image URL under the API prefix, or null. */
  logo: string | null;
}

const DEFAULT_BRANDING: Branding = { name: 'Wharf', primary_color: DEFAULT_PRIMARY, logo: null };
let loading: Promise<Branding> | undefined;

/** The answer as the page may use it: a field that is not what it should be falls back. */
function checked(raw: unknown): Branding {
  const b = (raw ?? {}) as { name?: unknown; primary_color?: unknown; logo?: { url?: unknown } | null };
  const url = b.logo?.url;
  return {
    name: typeof b.name === 'string' && b.name.trim() !== '' ? b.name : DEFAULT_BRANDING.name,
    primary_color: isHexColor(b.primary_color) ? b.primary_color : DEFAULT_BRANDING.primary_color,
    logo: typeof url === 'string' && url.startsWith(`${API_PREFIX}/`) ? url : null,
  };
}

/** Sets the title, the colour properties and the favicon. */
function apply(branding: Branding): void {
  document.title = `${branding.name} console`;
  const style = document.documentElement.style;
  style.setProperty('--primary', branding.primary_color);
  style.setProperty('--primary-ink', inkFor(branding.primary_color));
  style.setProperty('--primary-text', textColorFor(branding.primary_color));
  if (branding.logo !== null) document.querySelector('link[rel="icon"]')?.setAttribute('href', branding.logo);
}

/** The branding, fetched and applied once per page; the defaults when the api cannot say. */
export function loadBranding(): Promise<Branding> {
  loading ??= fetch(`${API_PREFIX}/platform/configuration/branding`, { cache: 'no-store' })
    .then((res) => (res.ok ? (res.json() as Promise<unknown>) : undefined))
    .then(checked, () => DEFAULT_BRANDING)
    .then((branding) => {
      apply(branding);
      return branding;
    });
  return loading;
}

/** The branding once loaded (undefined before: nothing of another brand flashes up). */
export function useBranding(): Branding | undefined {
  const [branding, setBranding] = useState<Branding>();
  useEffect(() => {
    let live = true;
    void loadBranding().then((b) => live && setBranding(b));
    return () => {
      live = false;
    };
  }, []);
  return branding;
}

/** The logo (decorative: the name beside it says the same) and the name. */
export function BrandMark() {
  const branding = useBranding();
  if (branding === undefined) return null;
  return (
    <>
      {branding.logo !== null && <img class="brand-logo" src={branding.logo} alt="" data-brand-logo />}
      <span data-brand-name>{branding.name}</span>
    </>
  );
}
