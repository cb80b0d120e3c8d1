// The ACLs a vcluster's backing principal gets: what a tenant's clients need inside its prefix,
// as PREFIXED patterns on the prefix, and no cluster-wide operation but IDEMPOTENT_WRITE. With
// them, the backing cluster's authorizer bounds the tenant to its prefix even if a kgate rewrite
// rule had a hole (defence in depth; the prefix rules keep prefixes from nesting).
import { type AclBinding, CLUSTER_NAME } from "../model/acl-model.ts";
import { AclOperation, AclPermissionType, PatternType, ResourceType } from "../protocol/messages/constants.ts";

const TOPIC_OPERATIONS = [
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.CREATE,
  AclOperation.DELETE,
  AclOperation.DESCRIBE,
  AclOperation.ALTER,
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
];
const GROUP_OPERATIONS = [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE];
const TRANSACTIONAL_ID_OPERATIONS = [AclOperation.WRITE, AclOperation.DESCRIBE];

export function tenantAclBindings(principal: string, prefix: string): AclBinding[] {
  if (prefix === "") throw new Error("a vcluster without a prefix cannot have backing ACLs");
  const allow = (resourceType: number, resourceName: string, patternType: number, operation: number): AclBinding => ({
    resourceType,
    resourceName,
    patternType,
    principal,
    host: "*",
    operation,
    permissionType: AclPermissionType.ALLOW,
  });
  return [
    ...TOPIC_OPERATIONS.map((op) => allow(ResourceType.TOPIC, prefix, PatternType.PREFIXED, op)),
    ...GROUP_OPERATIONS.map((op) => allow(ResourceType.GROUP, prefix, PatternType.PREFIXED, op)),
    ...TRANSACTIONAL_ID_OPERATIONS.map((op) => allow(ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, op)),
    allow(ResourceType.CLUSTER, CLUSTER_NAME, PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE),
  ];
}
