/** The operations of the catalog: instance configurations and deployment templates (see `operations.ts`). */
import { type Operation, type RequestBody } from './operations';

/** What differs between the catalog's two collections; their four operations are the same shape. */
interface Collection {
  path: string;
  tag: Operation['tag'];
  /** `InstanceConfiguration` → listInstanceConfigurations, getInstanceConfiguration, … */
  noun: string;
  plural: string;
  /** What a reader calls one item, and what GET on the collection lists. */
  one: string;
  article: 'a' | 'an';
  list: string;
  body: RequestBody;
  /** Appended to the put and delete summaries (who may, what refuses). */
  putNote: string;
  deleteNote: string;
}

/** List, get, put (create or replace) and delete of one collection, all behind an API key. */
function collectionOperations(c: Collection): Operation[] {
  const item = `${c.path}/{id}`;
  const op = (method: Operation['method'], path: string, operationId: string, summary: string) => ({
    method,
    path,
    operationId,
    tag: c.tag,
    summary,
    authenticated: true,
  });
  return [
    { ...op('get', c.path, `list${c.plural}`, c.list), success: [200, `The ${c.one}s`] },
    { ...op('get', item, `get${c.noun}`, `One ${c.one}`), success: [200, `The ${c.one}`] },
    {
      ...op('put', item, `put${c.noun}`, `Create or replace ${c.article} ${c.one}${c.putNote}`),
      body: c.body,
      success: [200, 'Replaced (201: created)'],
    },
    {
      ...op('delete', item, `delete${c.noun}`, `Delete a stored ${c.one}${c.deleteNote}`),
      success: [200, 'Deleted'],
    },
  ];
}

/** Instance configurations (tag Platform) and deployment templates (tag Deployments). */
export const CATALOG_OPERATIONS: readonly Operation[] = [
  ...collectionOperations({
    path: '/platform/configuration/instances',
    tag: 'Platform',
    noun: 'InstanceConfiguration',
    plural: 'InstanceConfigurations',
    one: 'instance configuration',
    article: 'an',
    list: 'Instance configurations: the built-ins, overridden by stored ones of the same id',
    body: { kind: 'instance-configuration-request' },
    putNote: ' (a built-in id is overridden)',
    deleteNote: " (409 while a deployment's plan uses it)",
  }),
  ...collectionOperations({
    path: '/deployments/templates',
    tag: 'Deployments',
    noun: 'DeploymentTemplate',
    plural: 'DeploymentTemplates',
    one: 'deployment template',
    article: 'a',
    list: 'Deployment templates: the built-ins, overridden by stored ones of the same id',
    body: { kind: 'deployment-template-request' },
    putNote: ' (platform-admin)',
    deleteNote: ' (platform-admin)',
  }),
];
