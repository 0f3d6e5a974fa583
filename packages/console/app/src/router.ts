/** Hash routes (`#/deployments/<id>`): the api serves one page, and a reload keeps the place. */
import { useEffect, useState } from 'preact/hooks';

/** A parsed route. */
export type Route =
  { page: 'deployments' } | { page: 'create' } | { page: 'deployment'; id: string } | { page: 'platform' };

/** The route of a location hash. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  if (parts[0] === 'deployments' && parts[1] === '_create') return { page: 'create' };
  if (parts[0] === 'deployments' && parts[1] !== undefined && /^[a-z0-9-]{1,63}$/.test(parts[1])) {
    return { page: 'deployment', id: parts[1] };
  }
  if (parts[0] === 'platform') return { page: 'platform' };
  return { page: 'deployments' };
}

/** The hash of a route. */
export function href(route: Route): string {
  switch (route.page) {
    case 'create':
      return '#/deployments/_create';
    case 'deployment':
      return `#/deployments/${route.id}`;
    case 'platform':
      return '#/platform';
    default:
      return '#/deployments';
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
