import { apiHttpsEnv, secureLaunchContext } from './certificates';

test('the api gets WHARF_API_TLS_CERT/KEY of its server certificate directory', () => {
  expect(apiHttpsEnv('/t/api-https')).toEqual({
    WHARF_API_TLS_CERT: '/t/api-https/cert.pem',
    WHARF_API_TLS_KEY: '/t/api-https/key.pem',
  });
  // Plain mode: no TLS fields at all (the file check is exercised end to end, test/secure-platform).
  expect(secureLaunchContext(undefined)).toEqual({});
});
