// Request and response shapes of the admin API. The same schemas validate requests and
// generate /openapi.json, so the published document cannot drift from the behaviour.
import "@hono/zod-openapi"; // adds `.openapi()` to zod schemas
import { z } from "zod";
import { prefixSyntaxProblem, VCLUSTER_NAME_PATTERN } from "../model/prefix-rules.ts";
import { topicPolicySchema } from "../model/topic-policy-schema.ts";
import { quotasSchema } from "../model/quota-schema.ts";
import { PRINCIPAL_PATTERN } from "../model/acl-model.ts";

const MAX_TOKEN_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

const VclusterName = z
  .string()
  .regex(VCLUSTER_NAME_PATTERN, "must be a DNS label: lowercase letters, digits and '-', at most 63 characters")
  .openapi({ param: { name: "name", in: "path" }, example: "vc-alice" });

export const NameParams = z.object({ name: VclusterName });

export const TokenIdParams = z.object({
  name: VclusterName,
  jti: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a token id as returned when the token was issued")
    .openapi({ param: { name: "jti", in: "path" }, example: "3q2-7wAAAAAAAAAAAAAAAA" }),
});

const Labels = z
  .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, "must be a label key"), z.string().max(256))
  .openapi({ example: { team: "payments" } });

// Rebuilt here: zod gives `.openapi()` only to schemas made after "@hono/zod-openapi" loaded.
const TopicPolicy = z.strictObject({ ...topicPolicySchema.shape }).openapi("TopicPolicy", {
  example: {
    maxPartitionsPerTopic: 12,
    maxPartitionsPerVcluster: 200,
    allowedConfigs: ["retention.ms", "cleanup.policy"],
    configRanges: { "retention.ms": { max: 604800000 } },
  },
});

const Quotas = z.strictObject({ ...quotasSchema.shape }).openapi("Quotas", {
  example: {
    producerByteRate: 2097152,
    consumerByteRate: 4194304,
    requestRate: 500,
    maxConnections: 100,
    maxTopics: 50,
    maxPartitions: 300,
    principalDefaults: { producerByteRate: 1048576 },
    principals: { billing: { producerByteRate: 524288, maxConnections: 5 } },
  },
});

const SuperUsers = z
  .array(z.string().regex(PRINCIPAL_PATTERN, "must be User:<name>"))
  .max(100)
  .openapi({ description: "Principals that pass every ACL check and may manage the vcluster's ACLs", example: ["User:alice"] });

/** The vcluster's ACL settings (acl-model.ts); unset fields keep their value. */
const VclusterAclSettings = z.object({
  aclEnabled: z.boolean().optional().openapi({
    description: "Authorize every request inside the vcluster with its Kafka ACLs (default false: everything allowed)",
  }),
  superUsers: SuperUsers.optional(),
});

export const PutVclusterBody = z
  .strictObject({
    prefix: z
      .string()
      .superRefine((p, ctx) => {
        const problem = prefixSyntaxProblem(p);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional()
      .openapi({ description: "Prefix on the backing cluster; defaults to `<name>.`. Cannot change later.", example: "alice." }),
    labels: Labels.optional(),
    topicPolicy: TopicPolicy.optional().openapi({
      description: "The vcluster's own topic policy, replacing the one it had; each field given (null: no limit) overrides the config's `topicPolicy`",
    }),
    quotas: Quotas.optional().openapi({
      description: "The vcluster's own quotas, replacing the ones it had; each field given (null: no limit) overrides the config's `quotas`",
    }),
    backingAcls: z.boolean().optional().openapi({
      description: "Defence in depth: give the vcluster its own SCRAM principal on the backing cluster, with ACLs on its prefix only, " +
        "and connect upstream as that principal for its clients. Fixed at creation; `true` again re-creates the credential and ACLs.",
    }),
    ...VclusterAclSettings.shape,
  })
  .openapi("PutVclusterRequest");

const Vcluster = z
  .object({
    name: z.string(),
    prefix: z.string(),
    createdAt: z.string().openapi({ format: "date-time" }),
    labels: z.record(z.string(), z.string()).optional(),
    topicPolicy: TopicPolicy.optional(),
    quotas: Quotas.optional(),
    backing: z
      .object({ username: z.string(), principal: z.string().optional() })
      .optional()
      .openapi({ description: "With backing ACLs: the vcluster's SCRAM user (and principal) on the backing cluster" }),
    aclEnabled: z.boolean().optional(),
    superUsers: z.array(z.string()).readonly().optional(),
  })
  .openapi("Vcluster");

export const VclusterList = z.object({ vclusters: z.array(Vcluster) }).openapi("VclusterList");

export const VclusterDetail = Vcluster.extend({
  effectiveTopicPolicy: TopicPolicy.openapi({ description: "The policy in force: the config's `topicPolicy` under the vcluster's own" }),
  effectiveQuotas: Quotas.openapi({ description: "The quotas in force: the config's `quotas` under the vcluster's own" }),
  bootstrap: z.string().openapi({ description: "Address clients use as bootstrap.servers", example: "127.0.0.1:6969" }),
  clientProperties: z.string().openapi({ description: "Example Kafka client properties (placeholders for user and token)" }),
  serviceAccounts: z.array(
    z.object({ username: z.string(), auth: z.enum(["token", "password", "scram"]), createdAt: z.string().optional() }),
  ),
  tokens: z.array(
    z.object({
      jti: z.string(),
      username: z.string(),
      issuedAt: z.string().openapi({ format: "date-time" }),
      expiresAt: z.string().openapi({ format: "date-time" }),
    }),
  ),
}).openapi("VclusterDetail");

export const CreateTokenBody = z
  .strictObject({
    username: z
      .string()
      .regex(/^[A-Za-z0-9._@+-]{1,128}$/, "must be 1-128 letters, digits or . _ @ + -")
      .openapi({ example: "alice" }),
    lifetimeSeconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_TOKEN_LIFETIME_SECONDS)
      .optional()
      .openapi({ description: "Defaults to auth.defaultTokenLifetimeSeconds (30 days)", example: 86400 }),
  })
  .openapi("CreateTokenRequest");

export const TokenIssued = z
  .object({
    token: z.string().openapi({ description: "HS256 JWT; the SASL/PLAIN password" }),
    jti: z.string().openapi({ description: "Token id, for revocation" }),
    vcluster: z.string(),
    username: z.string(),
    expiresAt: z.string().openapi({ format: "date-time" }),
    clientProperties: z.string().openapi({ description: "Ready-to-save Kafka client .properties file" }),
  })
  .openapi("TokenIssued");

export const ErrorBody = z
  .object({
    error: z.string(),
    issues: z
      .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() }))
      .optional(),
  })
  .openapi("Error");

export const Health = z.object({ status: z.literal("ok") }).openapi("Health");

const Username = z
  .string()
  .regex(/^[A-Za-z0-9._@+-]{1,128}$/, "must be 1-128 letters, digits or . _ @ + -")
  .openapi({ example: "billing" });

export const AccountParams = z.object({
  name: VclusterName,
  username: Username.openapi({ param: { name: "username", in: "path" } }),
});

export const CreateServiceAccountBody = z
  .strictObject({
    username: Username,
    password: z
      .string()
      .min(16, "must be at least 16 characters")
      .max(1024)
      .regex(/^[^"\\\s]+$/, "must not contain quotes, backslashes or spaces (it goes into a JAAS line)")
      .optional()
      .openapi({ description: "Omitted: kgate generates one and returns it once" }),
    mechanisms: z
      .array(z.enum(["SCRAM-SHA-256", "SCRAM-SHA-512"]))
      .min(1)
      .optional()
      .openapi({ description: "Defaults to both" }),
  })
  .openapi("CreateServiceAccountRequest");

export const ServiceAccountCreated = z
  .object({
    vcluster: z.string(),
    username: z.string(),
    login: z.string().openapi({ description: "The SASL user name: username@vcluster" }),
    mechanisms: z.array(z.string()),
    password: z.string().optional().openapi({ description: "Only when kgate generated it; shown once" }),
    rotated: z.boolean().openapi({ description: "True when the account existed and got new credentials" }),
    clientProperties: z.string().openapi({ description: "Ready-to-save Kafka client .properties file (SCRAM-SHA-512 when offered)" }),
  })
  .openapi("ServiceAccountCreated");
