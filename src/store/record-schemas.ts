// How a stored record is validated when it is read back, from a snapshot file or from the state
// topic alike: one schema per record type of records.ts.
import { z } from "zod";
import { topicPolicySchema } from "../vcluster/topic-policy-schema.ts";

export const vclusterSchema = z.object({
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  labels: z.record(z.string(), z.string()).optional(),
  topicPolicy: topicPolicySchema.optional(),
});

export const serviceAccountSchema = z.object({
  vcluster: z.string(),
  username: z.string(),
  auth: z.enum(["token", "password"]),
  createdAt: z.string(),
});

export const issuedTokenSchema = z.object({
  jti: z.string(),
  vcluster: z.string(),
  username: z.string(),
  issuedAt: z.number(),
  expiresAt: z.number(),
});

export const revokedTokenSchema = z.object({ jti: z.string(), vcluster: z.string(), expiresAt: z.number() });
