/**
 * Builds the OpenAPI 3.1 document from {@link OPERATIONS} and the model's JSON Schemas (draft
 * 2020-12, which OpenAPI 3.1 uses as is). Request bodies of model documents are `$ref`s into
 * `components.schemas`; every operation answers errors with the one error body.
 */
import { schemaOf, type DocumentKind } from '@wharf/model';
import { OPERATIONS, type Operation } from './operations';

/** Component name of each model document used as a request body. */
const COMPONENT_NAMES: Partial<Record<DocumentKind, string>> = {
  'deployment-create-request': 'DeploymentCreateRequest',
  'deployment-update-request': 'DeploymentUpdateRequest',
  'templated-create-request': 'TemplatedCreateRequest',
  'instance-configuration-request': 'InstanceConfigurationRequest',
  'deployment-template-request': 'DeploymentTemplateRequest',
  'branding-request': 'BrandingRequest',
};

const ERROR_BODY = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string', examples: ['WHARF_VALIDATION'] },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};

/** A TypeBox schema as plain JSON (its symbol-keyed metadata dropped). */
function plain(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

function componentName(kind: DocumentKind): string {
  const name = COMPONENT_NAMES[kind];
  if (name === undefined) throw new Error(`no OpenAPI component name for ${kind}`);
  return name;
}

const ID_PATTERN = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

function pathParams(path: string) {
  return [...path.matchAll(/\{([a-z_]+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    // `{instance_ids}`: comma-separated ids (ECE's shape for instance actions).
    schema: {
      type: 'string',
      pattern: name === 'instance_ids' ? `^${ID_PATTERN}(?:,${ID_PATTERN})*$` : `^${ID_PATTERN}$`,
    },
  }));
}

function operationObject(op: Operation): Record<string, unknown> {
  const parameters = [
    ...pathParams(op.path),
    ...(op.query ?? []).map((q) => ({
      name: q.name,
      in: 'query',
      required: false,
      description: q.description,
      schema: q.schema,
    })),
  ];
  const error = {
    description: 'Error',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  const produces = op.produces ?? 'application/json';
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.authenticated ? {} : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema:
                  'kind' in op.body
                    ? { $ref: `#/components/schemas/${componentName(op.body.kind)}` }
                    : op.body.schema,
              },
            },
          },
        }),
    responses: {
      [String(op.success[0])]: { description: op.success[1], content: { [produces]: {} } },
      ...(op.authenticated ? { '401': error, '403': error } : {}),
      default: error,
    },
  };
}

/** The OpenAPI document of this api. */
export function buildOpenApi(version: string, apiPrefix: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op);
  const schemas: Record<string, unknown> = { Error: ERROR_BODY };
  for (const kind of Object.keys(COMPONENT_NAMES) as DocumentKind[])
    schemas[componentName(kind)] = plain(schemaOf(kind));
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Wharf API',
      version,
      description:
        'Create, resize and delete deployments and run the platform. Authenticate with `Authorization: ApiKey <key>`.',
    },
    servers: [{ url: apiPrefix }],
    security: [{ apiKey: [] }],
    tags: ['Deployments', 'Plans', 'Platform', 'Security', 'Organizations', 'Billing', 'Events', 'Meta'].map(
      (name) => ({ name }),
    ),
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`ApiKey <key>`' },
      },
    },
  };
}
