/**
 * The console's validators are the api's: for the same requests, the validators generated at
 * build time find problems at the same dotted paths as the model's `validateDocument`, and each
 * path lands on the form field that produced it.
 */
import { validateDocument } from '@wharf/model';
import { validateCreateRequest, validateUpdateRequest } from './generated/validators.js';
import {
  createRequest,
  defaultCreateForm,
  fieldErrors,
  fieldOf,
  validate,
  type CreateForm,
} from './plan-form';

const form = (change: Partial<CreateForm>): CreateForm => ({
  ...defaultCreateForm(),
  name: 'orders',
  ...change,
});

/** Distinct issue paths, sorted. */
const pathsOf = (issues: { path: string }[]) => [...new Set(issues.map((i) => i.path))].sort();

describe('the console form validators', () => {
  it.each([
    ['a valid form', {}, []],
    ['too many zones', { zone_count: '40' }, ['zone_count']],
    ['zones not a number', { zone_count: 'three' }, ['zone_count']],
    ['no memory', { memory: '0' }, ['memory']],
    ['an empty name', { name: '' }, ['name']],
    ['a bad version', { version: 'x y' }, ['version']],
    [
      'a bad instance configuration',
      { instance_configuration_id: 'Not Valid' },
      ['instance_configuration_id'],
    ],
  ] as const)('%s: same paths as the api, at the right field', (_label, change, fields) => {
    const request = createRequest(form(change));
    const local = validate(validateCreateRequest, request);
    const model = validateDocument('deployment-create-request', request);
    expect(pathsOf(local)).toEqual(model.ok ? [] : pathsOf(model.errors));
    expect(Object.keys(fieldErrors(local)).sort()).toEqual([...fields].sort());
  });

  it('validates a resize request with the update schema', () => {
    const { resources } = createRequest(form({ zone_count: '17' })) as { resources: unknown };
    const local = validate(validateUpdateRequest, { resources });
    const model = validateDocument('deployment-update-request', { resources });
    expect(model.ok).toBe(false);
    expect(pathsOf(local)).toEqual(model.ok ? [] : pathsOf(model.errors));
    expect(fieldErrors(local).zone_count).toBe('must be <= 16');
  });

  it('maps api issue paths to form fields', () => {
    expect(fieldOf('name')).toBe('name');
    expect(fieldOf('resources.etcd[0].plan.etcd.version')).toBe('version');
    expect(fieldOf('resources.http[0].plan.cluster_topology[0].size.value')).toBe('memory');
    expect(fieldOf('resources.etcd[0].plan.cluster_topology[0].zone_count')).toBe('zone_count');
    expect(fieldOf('resources.mongo')).toBe('stack');
    expect(fieldOf('request_id')).toBe('form');
  });
});
