// How a stored record is validated when it is read back, from a snapshot file or from the state
// topic alike: one schema per record type of records.ts. Names follow the rules admin writes
// follow, because anyone who can write the topic (or the file) bypasses the admin API.
import { z } from "zod";
import { topicPolicySchema } from "../model/topic-policy-schema.ts";
import { quotasSchema } from "../model/quota-schema.ts";
import { VCLUSTER_NAME_PATTERN } from "../model/prefix-rules.ts";
import { aclBindingProblem, PRINCIPAL_PATTERN } from "../model/acl-model.ts";

const vclusterName = z.string().regex(VCLUSTER_NAME_PATTERN, "must be a DNS label");
/** The admin API's username rule (tokens are issued to these). */
const username = z.string().regex(/^[A-Za-z0-9._@+-]{1,128}$/, "must be 1-128 letters, digits or . _ @ + -");
// A createdAt that does not parse would make the "token predates this vcluster" check pass for
// every token, so it must be a real timestamp.
const timestamp = z.iso.datetime({ offset: true });
const seconds = z.number().int().nonnegative();
const tokenId = z.string().min(1).max(128);

export const vclusterSchema = z.object({
  name: vclusterName,
  prefix: z.string(),
  createdAt: timestamp,
  labels: z.record(z.string(), z.string()).optional(),
  topicPolicy: topicPolicySchema.optional(),
  quotas: quotasSchema.optional(),
  backing: z.object({ username: z.string().regex(/^kgate-vc-[a-z0-9-]{1,63}$/, "must be kgate-vc-<vcluster>") }).optional(),
  aclEnabled: z.boolean().optional(),
  superUsers: z.lazy(() => superUsersSchema).optional(),
});

const base64 = z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, "must be base64");
const scramCredentialSchema = z.object({ salt: base64, storedKey: base64, serverKey: base64, iterations: z.number().int().min(4096) });

export const serviceAccountSchema = z.object({
  vcluster: vclusterName,
  username,
  auth: z.enum(["token", "password", "scram"]),
  createdAt: timestamp,
  scram: z.object({ "SCRAM-SHA-256": scramCredentialSchema.optional(), "SCRAM-SHA-512": scramCredentialSchema.optional() }).optional(),
});

export const issuedTokenSchema = z.object({
  jti: tokenId,
  vcluster: vclusterName,
  username,
  issuedAt: seconds,
  expiresAt: seconds,
});

export const revokedTokenSchema = z.object({ jti: tokenId, vcluster: vclusterName, expiresAt: seconds });

export const deletedVclusterSchema = z.object({ name: vclusterName, createdAt: timestamp });

/** A vcluster's ACL: the same rules as CreateAcls through kgate (aclBindingProblem). */
export const aclRecordSchema = z
  .object({
    vcluster: vclusterName,
    resourceType: z.number().int(),
    resourceName: z.string(),
    patternType: z.number().int(),
    principal: z.string(),
    host: z.string(),
    operation: z.number().int(),
    permissionType: z.number().int(),
  })
  .superRefine((acl, ctx) => {
    const problem = aclBindingProblem(acl);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** A vcluster's super users, as the admin API takes them. */
const superUsersSchema = z.array(z.string().regex(PRINCIPAL_PATTERN, "must be User:<name>")).max(100);
