import express, { Router } from 'express';
import { allowedMethods } from './methods';

/** An app shaped like the api's: routers mounted under a prefix, plus plain middleware. */
function app() {
  const a = express();
  a.use((_req, _res, next) => next());
  const deployments = Router();
  deployments.post('/deployments', (_req, res) => res.end());
  deployments.get('/deployments', (_req, res) => res.end());
  deployments.get('/deployments/:id', (_req, res) => res.end());
  deployments.delete('/deployments/:id', (_req, res) => res.end());
  const plans = Router();
  plans.get('/deployments/:id/plan', (_req, res) => res.end());
  a.use('/api/v1', deployments, plans);
  return a;
}

const stack = (a: express.Express) => (a as unknown as { router: { stack: never[] } }).router.stack;

describe('allowedMethods', () => {
  const a = app();

  it('collects the methods of every route matching the path, through mounted routers', () => {
    expect([...allowedMethods(stack(a), '/api/v1/deployments')].sort()).toEqual(['GET', 'HEAD', 'POST']);
    expect([...allowedMethods(stack(a), '/api/v1/deployments/abc')].sort()).toEqual([
      'DELETE',
      'GET',
      'HEAD',
    ]);
    expect([...allowedMethods(stack(a), '/api/v1/deployments/abc/plan')].sort()).toEqual(['GET', 'HEAD']);
  });

  it('knows no method for a path no route serves', () => {
    expect(allowedMethods(stack(a), '/api/v1/nothing').size).toBe(0);
    expect(allowedMethods(stack(a), '/deployments').size).toBe(0);
  });
});
