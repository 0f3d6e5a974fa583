import { allows, effectiveRole, forbidden, requiredRole, routedPath } from './rbac';

describe('requiredRole', () => {
  it.each([
    ['GET', '/deployments', 'viewer'],
    ['GET', '/deployments/d1/plan/activity', 'viewer'],
    ['HEAD', '/platform/allocators', 'viewer'],
    ['GET', '/platform', 'viewer'],
    ['POST', '/deployments', 'deployment-manager'],
    ['POST', '/deployments/_search', 'viewer'],
    ['POST', '/Deployments//_search/', 'viewer'],
    ['POST', '/deployments/_search/x', 'deployment-manager'],
    ['PUT', '/deployments/d1', 'deployment-manager'],
    ['DELETE', '/deployments/d1', 'deployment-manager'],
    ['POST', '/deployments/d1/_restart', 'deployment-manager'],
    ['PUT', '/platform/allocators/a1/maintenance-mode', 'platform-admin'],
    ['PUT', '/platform/hosts/h1/roles', 'platform-admin'],
    ['POST', '/platform/allocators/a1/instances/_move', 'platform-admin'],
    ['GET', '/platform/configuration/security/api-keys', 'platform-admin'],
    ['POST', '/platform/configuration/security/api-keys', 'platform-admin'],
    ['POST', '/platform/configuration/security/roles-tokens', 'platform-admin'],
    ['GET', '/platform/configuration/webhooks/dead-letters', 'platform-admin'],
    ['GET', '/platform/configuration/webhooks', 'viewer'],
    ['POST', '/deploymentsX', 'platform-admin'],
    ['PATCH', '/somewhere/new', 'platform-admin'],
    ['GET', '/Platform/Configuration/Security/API-Keys', 'platform-admin'],
    ['GET', '//platform//configuration/security/api-keys/', 'platform-admin'],
    ['DELETE', '/DEPLOYMENTS/d1', 'deployment-manager'],
    ['GET', '/deployments/templates', 'viewer'],
    ['PUT', '/deployments/templates/t1', 'platform-admin'],
    ['DELETE', '/Deployments//Templates/t1', 'platform-admin'],
    ['PUT', '/deployments/templatesx', 'deployment-manager'],
    ['GET', '/platform/configuration/instances/etcd.small', 'viewer'],
    ['PUT', '/platform/configuration/instances/etcd.small', 'platform-admin'],
  ])('%s %s needs %s', (method, path, role) => {
    expect(requiredRole(method, path)).toBe(role);
  });
});

describe('routedPath', () => {
  it.each([
    ['/api/v1/deployments/d1', '/deployments/d1'],
    ['/API/V1/Platform/Configuration/Security/API-Keys', '/platform/configuration/security/api-keys'],
    ['//api/v1//platform', '/platform'],
    ['/api/v1', ''],
    ['/api/v10/x', '/api/v10/x'],
    ['/metrics', '/metrics'],
  ])('%s → %s', (path, routed) => {
    expect(routedPath('/api/v1', path)).toBe(routed);
  });
});

describe('effectiveRole and allows', () => {
  it('takes the strongest known role, reading the legacy admin as platform-admin', () => {
    expect(effectiveRole(['admin'])).toBe('platform-admin');
    expect(effectiveRole(['viewer', 'deployment-manager'])).toBe('deployment-manager');
    expect(effectiveRole(['operator', 'viewer'])).toBe('viewer');
    expect(effectiveRole([])).toBeUndefined();
    expect(effectiveRole(['root'])).toBeUndefined();
  });

  it('nests the roles', () => {
    expect(allows('platform-admin', 'deployment-manager')).toBe(true);
    expect(allows('deployment-manager', 'viewer')).toBe(true);
    expect(allows('deployment-manager', 'platform-admin')).toBe(false);
    expect(allows('viewer', 'deployment-manager')).toBe(false);
    expect(allows(undefined, 'viewer')).toBe(false);
  });

  it('answers 403 naming the roles', () => {
    const err = forbidden('k1', 'viewer', 'deployment-manager', 'POST /deployments');
    expect(err.code).toBe('WHARF_FORBIDDEN');
    expect(err.message).toBe('API key k1 has role viewer; POST /deployments needs deployment-manager');
  });
});
