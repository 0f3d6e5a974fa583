/**
 * `/platform/configuration/branding`: the GET and the logo image are served without an API key
 * (mounted before authentication, see `app.ts`), the PUT behind it (platform-admin, by the rule
 * of `auth/rbac.ts`).
 */
import { Router } from 'express';
import { setPageHeaders } from '../console/headers';
import { jsonObjectBody } from '../http/body';
import { WharfError } from '@wharf/model';
import { allowOnly } from '../http/query';
import { send } from '../http/send';
import { type BrandingService } from './branding-service';

/** The branding document, below the API prefix. */
export const BRANDING_PATH = '/platform/configuration/branding';
/** The logo image, below the API prefix. */
export const BRANDING_LOGO_PATH = `${BRANDING_PATH}/logo`;

/**
 * Headers of the logo: its own CSP forbids everything but its own styles, so an SVG opened
 * directly (not as an `<img>`) can run nothing either; `nosniff` keeps the declared type.
 */
const LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

/** The unauthenticated reads: the public branding and the logo. */
export function publicBrandingRoutes(service: BrandingService): Router {
  const router = Router();

  router.get(BRANDING_PATH, async (req, res) => {
    allowOnly(req, []);
    res.setHeader('cache-control', 'no-cache');
    send(res, await service.get());
  });

  router.get(BRANDING_LOGO_PATH, async (req, res) => {
    // `v` is the logo's digest: a new logo gets a new URL, so browsers never show a stale one.
    allowOnly(req, ['v']);
    const logo = await service.logo();
    if (logo === undefined)
      throw new WharfError('WHARF_NOT_FOUND', 'no logo is set', {
        details: [{ path: 'logo', message: 'no logo is set' }],
      });
    setPageHeaders(res, LOGO_CSP);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('content-disposition', 'inline; filename="logo"');
    res.status(200).type(logo.mediaType).send(logo.body);
  });

  return router;
}

/** The authenticated change. */
export function brandingRoutes(service: BrandingService): Router {
  const router = Router();
  router.put(BRANDING_PATH, async (req, res) => {
    allowOnly(req, []);
    send(res, await service.set(jsonObjectBody(req)));
  });
  return router;
}
