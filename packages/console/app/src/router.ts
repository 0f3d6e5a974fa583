/** Hash routes (`#/deployments/<id>`): the api serves one page, and a reload keeps the place. */
import { useEffect, useState } from 'preact/hooks';

/** Pages without parameters, each at `#/<name>`. */
const SIMPLE_PAGES = ['platform', 'templates', 'keys', 'events', 'usage'] as const;

/** A page of {@link SIMPLE_PAGES}. */
export type SimplePage = (typeof SIMPLE_PAGES)[number];

/** A parsed route. */
export type Route =
  | { page: 'deployments' }
  | { page: 'create'; template?: string }
  | { page: 'deployment'; id: string }
  | { page: SimplePage };

const isSimple = (part: string | undefined): part is SimplePage =>
  (SIMPLE_PAGES as readonly (string | undefined)[]).includes(part);

const ID = /^[a-z0-9-]{1,63}$/;

/** The route of a location hash. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'deployments' && parts[1] === '_create') {
    return parts[2] !== undefined && ID.test(parts[2])
      ? { page: 'create', template: parts[2] }
      : { page: 'create' };
  }
  if (parts[0] === 'deployments' && parts[1] !== undefined && ID.test(parts[1])) {
    return { page: 'deployment', id: parts[1] };
  }
  if (isSimple(parts[0])) return { page: parts[0] };
  return { page: 'deployments' };
}

/** The hash of a route. */
export function href(route: Route): string {
  switch (route.page) {
    case 'create':
      return route.template === undefined
        ? '#/deployments/_create'
        : `#/deployments/_create/${route.template}`;
    case 'deployment':
      return `#/deployments/${route.id}`;
    case 'deployments':
      return '#/deployments';
    default:
      return `#/${route.page}`;
  }
}

/** Goes to a route. */
export function navigate(route: Route): void {
  location.hash = href(route);
}

/** The current route, following hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
