/**
 * Deployment templates and the bodies that write the catalog (ECE's `DeploymentTemplateInfoV2`
 * and instance configurations, reduced): a template is a named create request that a create can
 * start from (`deployment_template: {id, ...overrides}`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Id, MAX_SIZE_MB, MAX_ZONE_COUNT, Name, SchemaVersion, Str } from './common';
import { InstanceConfigurationSchema } from './documents';
import { DeploymentCreateRequestSchema, DeploymentMetadataSchema, ResourcesSchema } from './plan';

/** `PUT /platform/configuration/instances/:id` body: the document without its id and version. */
export const InstanceConfigurationRequestSchema = Type.Omit(
  InstanceConfigurationSchema,
  ['schema_version', 'id'],
  {
    additionalProperties: false,
  },
);

const templateFields = {
  name: Name(),
  description: Type.Optional(Str(1024)),
  /** The create request a deployment made from this template starts from. */
  deployment: DeploymentCreateRequestSchema,
};

/** `PUT /deployments/templates/:id` body. */
export const DeploymentTemplateRequestSchema = Type.Object(templateFields, { additionalProperties: false });

/** `/platform/templates/<id>`: a deployment template. */
export const DeploymentTemplateSchema = Type.Object(
  { schema_version: SchemaVersion(), id: Id('template id'), ...templateFields },
  { additionalProperties: false },
);

/**
 * `deployment_template` of a create: the template, and shorthand overrides applied to every
 * topology element (`size`, `zone_count`, `instance_configuration_id`) and stack block (`version`)
 * of the template's resources.
 */
export const TemplateReferenceSchema = Type.Object(
  {
    id: Id('template id'),
    size: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_SIZE_MB, description: 'memory per instance, MB' }),
    ),
    zone_count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ZONE_COUNT })),
    instance_configuration_id: Type.Optional(Type.String({ maxLength: 64 })),
    version: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);

/**
 * `POST /deployments` body that names a template: `name`, `metadata` and per-stack `resources`
 * replace the template's; the result is then validated as a plain create request.
 */
export const TemplatedCreateRequestSchema = Type.Object(
  {
    name: Type.Optional(Name()),
    deployment_template: TemplateReferenceSchema,
    resources: Type.Optional(ResourcesSchema),
    metadata: Type.Optional(DeploymentMetadataSchema),
  },
  { additionalProperties: false },
);

/** {@link InstanceConfigurationRequestSchema}. */
export type InstanceConfigurationRequest = Static<typeof InstanceConfigurationRequestSchema>;
/** {@link DeploymentTemplateRequestSchema}. */
export type DeploymentTemplateRequest = Static<typeof DeploymentTemplateRequestSchema>;
/** {@link DeploymentTemplateSchema}. */
export type DeploymentTemplate = Static<typeof DeploymentTemplateSchema>;
/** {@link TemplatedCreateRequestSchema}. */
export type TemplatedCreateRequest = Static<typeof TemplatedCreateRequestSchema>;
