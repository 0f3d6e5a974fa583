/** The shell: sign-in gate, navigation, and the page of the current route. */
import { useState } from 'preact/hooks';
import { storeKey, storedKey } from './api';
import { BrandMark } from './branding';
import { allows } from './roles';
import { RoleContext, useKeyRole } from './use-role';
import { CatalogPage } from './pages/catalog';
import { CreatePage } from './pages/create';
import { DeploymentPage } from './pages/deployment';
import { DeploymentsPage } from './pages/deployments';
import { EventsPage } from './pages/events';
import { KeysPage } from './pages/keys';
import { PlatformPage } from './pages/platform';
import { SignIn } from './pages/sign-in';
import { UsagePage } from './pages/usage';
import { href, useRoute, type Route } from './router';
import './pages.css';

/** The navigation entries: the page each opens, its label, and who sees it. */
const NAV: { page: Route['page']; label: string; adminOnly?: boolean }[] = [
  { page: 'deployments', label: 'Deployments' },
  { page: 'templates', label: 'Templates' },
  { page: 'platform', label: 'Platform' },
  { page: 'events', label: 'Events' },
  { page: 'usage', label: 'Usage' },
  { page: 'keys', label: 'API keys', adminOnly: true },
];

/** The navigation entry a route belongs to (a deployment's pages are under Deployments). */
const section = (route: Route): Route['page'] =>
  route.page === 'create' || route.page === 'deployment' ? 'deployments' : route.page;

/** The console. */
export function App() {
  const [signedIn, setSignedIn] = useState(() => storedKey() !== undefined);
  const route = useRoute();
  const role = useKeyRole(signedIn);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const signOut = () => {
    storeKey(undefined);
    setSignedIn(false);
  };
  return (
    <RoleContext.Provider value={role}>
      <div class="shell">
        <header class="top">
          <a class="brand" href="#/deployments">
            <BrandMark />
          </a>
          <nav aria-label="Main">
            {NAV.filter((n) => !n.adminOnly || allows(role, 'platform-admin')).map((n) => (
              <a
                key={n.page}
                href={href({ page: n.page } as Route)}
                aria-current={section(route) === n.page ? 'page' : undefined}
              >
                {n.label}
              </a>
            ))}
          </nav>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </header>
        <main>
          {route.page === 'deployments' && <DeploymentsPage />}
          {route.page === 'create' && <CreatePage key={route.template} template={route.template} />}
          {route.page === 'deployment' && <DeploymentPage key={route.id} id={route.id} />}
          {route.page === 'platform' && <PlatformPage />}
          {route.page === 'templates' && <CatalogPage />}
          {route.page === 'keys' && <KeysPage />}
          {route.page === 'events' && <EventsPage />}
          {route.page === 'usage' && <UsagePage />}
        </main>
      </div>
    </RoleContext.Provider>
  );
}
