/** The operations of white-label branding (see `operations.ts` and `branding/`). */
import { type Operation } from './operations';

/** Branding: the public read, the logo image and the platform-admin write. */
export const BRANDING_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/platform/configuration/branding',
    operationId: 'getBranding',
    tag: 'Platform',
    summary:
      'The branding the console and CLI show: `{name, primary_color, logo: {url, media_type} | null, custom}` (no API key needed)',
    authenticated: false,
    success: [200, 'The public branding fields'],
  },
  {
    method: 'put',
    path: '/platform/configuration/branding',
    operationId: 'setBranding',
    tag: 'Platform',
    summary:
      'Set the name, primary colour and logo (platform-admin); a logo is a base64 data URL of SVG or PNG, at most 64 KiB, and an SVG with script, event attributes, foreignObject or external references is refused',
    authenticated: true,
    body: { kind: 'branding-request' },
    success: [200, 'The branding as GET shows it'],
  },
  {
    method: 'get',
    path: '/platform/configuration/branding/logo',
    operationId: 'getBrandingLogo',
    tag: 'Platform',
    summary: 'The logo image (no API key needed; 404 when none is set)',
    authenticated: false,
    query: [
      { name: 'v', description: "The logo's version (ignored; a cache buster)", schema: { type: 'string' } },
    ],
    success: [200, 'The image (image/svg+xml or image/png)'],
    produces: 'image/*',
  },
];
