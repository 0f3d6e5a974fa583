/** The shell: sign-in gate, navigation, and the page of the current route. */
import { useState } from 'preact/hooks';
import { storeKey, storedKey } from './api';
import { BrandMark } from './branding';
import { CreatePage } from './pages/create';
import { DeploymentPage } from './pages/deployment';
import { DeploymentsPage } from './pages/deployments';
import { PlatformPage } from './pages/platform';
import { SignIn } from './pages/sign-in';
import { href, useRoute } from './router';

/** The console. */
export function App() {
  const [signedIn, setSignedIn] = useState(() => storedKey() !== undefined);
  const route = useRoute();
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const signOut = () => {
    storeKey(undefined);
    setSignedIn(false);
  };
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="#/deployments">
          <BrandMark />
        </a>
        <nav aria-label="Main">
          <a
            href={href({ page: 'deployments' })}
            aria-current={route.page !== 'platform' ? 'page' : undefined}
          >
            Deployments
          </a>
          <a href={href({ page: 'platform' })} aria-current={route.page === 'platform' ? 'page' : undefined}>
            Platform
          </a>
        </nav>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {route.page === 'deployments' && <DeploymentsPage />}
        {route.page === 'create' && <CreatePage />}
        {route.page === 'deployment' && <DeploymentPage key={route.id} id={route.id} />}
        {route.page === 'platform' && <PlatformPage />}
      </main>
    </div>
  );
}
