// Kafka's ACL vocabulary (org.apache.kafka.common.acl / .resource), as the wire codes the ACL
// APIs carry, and an ACL binding of a virtual cluster: always in the tenant's own (unprefixed)
// names, stored per vcluster, never compared with another vcluster's.
import { ErrorCode } from "../protocol/error-codes.ts";
import { AclOperation, AclPermissionType, PatternType, ResourceType } from "../protocol/messages/constants.ts";

/** AclOperation, ResourceType, PatternType and AclPermissionType codes: the generated ones, short. */
export const Op = AclOperation;
export const Res = ResourceType;
export const Pattern = PatternType;
export const Permission = AclPermissionType;

/** Kafka's one cluster resource name (Resource.CLUSTER_NAME). */
export const CLUSTER_NAME = "kafka-cluster";
/** A literal pattern with this name matches every resource of its type. */
export const WILDCARD = "*";
/** The principal of a connection that never logged in (KafkaPrincipal.ANONYMOUS). */
export const ANONYMOUS_PRINCIPAL = "User:ANONYMOUS";

/** Error codes of refusals (org.apache.kafka.common.protocol.Errors). */
export const AclError = {
  NONE: ErrorCode.NONE,
  TOPIC_AUTHORIZATION_FAILED: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  GROUP_AUTHORIZATION_FAILED: ErrorCode.GROUP_AUTHORIZATION_FAILED,
  CLUSTER_AUTHORIZATION_FAILED: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  INVALID_REQUEST: ErrorCode.INVALID_REQUEST,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  SECURITY_DISABLED: ErrorCode.SECURITY_DISABLED,
  OPERATION_NOT_ATTEMPTED: ErrorCode.OPERATION_NOT_ATTEMPTED,
} as const;

/** The resource types an ACL inside a vcluster may name: the tenant's own kinds of resource. */
const VCLUSTER_RESOURCE_TYPES: readonly number[] = [Res.TOPIC, Res.GROUP, Res.CLUSTER, Res.TRANSACTIONAL_ID];

/** AclEntry.supportedOperations: what each resource type's ACLs can grant (ALL besides). */
export const SUPPORTED_OPERATIONS: ReadonlyMap<number, readonly number[]> = new Map<number, readonly number[]>([
  [Res.TOPIC, [Op.READ, Op.WRITE, Op.CREATE, Op.DESCRIBE, Op.DELETE, Op.ALTER, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]],
  [Res.GROUP, [Op.READ, Op.DESCRIBE, Op.DELETE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS]],
  [Res.CLUSTER, [Op.CREATE, Op.CLUSTER_ACTION, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE, Op.ALTER, Op.DESCRIBE]],
  [Res.TRANSACTIONAL_ID, [Op.DESCRIBE, Op.WRITE]],
]);

/** One ACL of a vcluster, as Kafka's AclBinding: a resource pattern and an access control entry. */
export interface AclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  /** `User:<name>`, or `User:*` for every user. */
  readonly principal: string;
  /** `*` or one client IP address. */
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

/** An ACL filter (DescribeAcls, DeleteAcls): null names match any; ANY codes match any. */
export interface AclFilter {
  readonly resourceType: number;
  readonly resourceName: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permissionType: number;
}

const NAMES = {
  op: invert(Op),
  res: invert(Res),
  pattern: invert(Pattern),
  permission: invert(Permission),
};

function invert(o: Record<string, number>): Map<number, string> {
  return new Map(Object.entries(o).map(([k, v]) => [v, k]));
}

export const operationName = (code: number) => NAMES.op.get(code) ?? `UNKNOWN(${code})`;
export const resourceTypeName = (code: number) => NAMES.res.get(code) ?? `UNKNOWN(${code})`;
export const patternTypeName = (code: number) => NAMES.pattern.get(code) ?? `UNKNOWN(${code})`;
export const permissionName = (code: number) => NAMES.permission.get(code) ?? `UNKNOWN(${code})`;
export const operationCode = (name: string) => (Op as Record<string, number>)[name];
export const resourceTypeCode = (name: string) => (Res as Record<string, number>)[name];
export const patternTypeCode = (name: string) => (Pattern as Record<string, number>)[name];
export const permissionCode = (name: string) => (Permission as Record<string, number>)[name];

/** A principal kgate can match: `User:` and a user name as the admin API allows, or `User:*`. */
export const PRINCIPAL_PATTERN = /^User:(\*|[A-Za-z0-9._@+-]{1,128})$/;
/** `*`, or an IPv4 or IPv6 address as Java prints it (no name lookups). */
const HOST_PATTERN = /^(\*|[0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]{2,45})$/;
/** Longest resource name kept (a topic name is at most 249 characters; groups are longer in Kafka, not here). */
const MAX_RESOURCE_NAME_LENGTH = 1024;

/**
 * Why `acl` cannot be created in a vcluster, or null: AclControlManager.validateNewAcl, plus the
 * vcluster's limits (its own resource kinds, `User:` principals, the one cluster name).
 */
export function aclBindingProblem(acl: AclBinding): string | null {
  if (!VCLUSTER_RESOURCE_TYPES.includes(acl.resourceType)) {
    return `Invalid resourceType ${resourceTypeName(acl.resourceType)}: a virtual cluster has TOPIC, GROUP, CLUSTER and TRANSACTIONAL_ID ACLs`;
  }
  if (acl.patternType !== Pattern.LITERAL && acl.patternType !== Pattern.PREFIXED) return `Invalid patternType ${patternTypeName(acl.patternType)}`;
  if (acl.operation === Op.ANY || !NAMES.op.has(acl.operation) || acl.operation === Op.UNKNOWN) return `Invalid operation ${operationName(acl.operation)}`;
  if (acl.permissionType !== Permission.ALLOW && acl.permissionType !== Permission.DENY) return `Invalid permissionType ${permissionName(acl.permissionType)}`;
  if (acl.resourceName === "") return "Resource name should not be empty";
  if (acl.resourceName.length > MAX_RESOURCE_NAME_LENGTH) return `Resource name is longer than ${MAX_RESOURCE_NAME_LENGTH} characters`;
  if (acl.resourceType === Res.CLUSTER && acl.resourceName !== CLUSTER_NAME) return `The only CLUSTER resource is "${CLUSTER_NAME}"`;
  if (!PRINCIPAL_PATTERN.test(acl.principal)) return `Invalid principal "${acl.principal}": must be User:<name> or User:*`;
  if (!HOST_PATTERN.test(acl.host)) return `Invalid host "${acl.host}": must be * or an IP address`;
  return null;
}

/** Why a filter cannot be used (AclControlManager.validateFilter), or null. */
export function aclFilterProblem(filter: AclFilter): string | null {
  if (filter.resourceType === Res.UNKNOWN || !NAMES.res.has(filter.resourceType)) return "Unknown patternFilter.";
  if (filter.patternType === Pattern.UNKNOWN || !NAMES.pattern.has(filter.patternType)) return "Unknown patternFilter.";
  if (filter.operation === Op.UNKNOWN || !NAMES.op.has(filter.operation)) return "Unknown entryFilter.";
  if (filter.permissionType === Permission.UNKNOWN || !NAMES.permission.has(filter.permissionType)) return "Unknown entryFilter.";
  return null;
}

/** A stable identity of a binding: creating the same ACL twice keeps one (as in Kafka). */
export function aclKey(acl: AclBinding): string {
  return JSON.stringify([acl.resourceType, acl.patternType, acl.resourceName, acl.principal, acl.host, acl.operation, acl.permissionType]);
}
