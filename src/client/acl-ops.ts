// ACL administration with kgate's own client (CreateAcls, DescribeAcls, DeleteAcls): what the
// backing-ACL provisioning needs. v3 is served by every Kafka from 2.8 to 4.x.
import type { CreateAclsResponse } from "../protocol/messages/create-acls-response.ts";
import type { DeleteAclsFilter } from "../protocol/messages/delete-acls-request.ts";
import type { DeleteAclsResponse } from "../protocol/messages/delete-acls-response.ts";
import type { DescribeAclsRequest } from "../protocol/messages/describe-acls-request.ts";
import type { DescribeAclsResponse } from "../protocol/messages/describe-acls-response.ts";
import type { KafkaConnection } from "./kafka-connection.ts";
import { KafkaError } from "./kafka-errors.ts";

const CREATE_ACLS = { key: 30, version: 3 } as const;
const DESCRIBE_ACLS = { key: 29, version: 3 } as const;
const DELETE_ACLS = { key: 31, version: 3 } as const;

/** Kafka's codes (org.apache.kafka.common.resource / acl), as the wire carries them. */
export const ResourceType = { ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5 } as const;
export const PatternType = { ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12,
} as const;
export const AclPermission = { ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** A code's Kafka name (TOPIC, PREFIXED, READ, ALLOW, ...), for people reading the admin API. */
export function aclCodeName(table: Readonly<Record<string, number>>, code: number): string {
  return Object.entries(table).find(([, c]) => c === code)?.[0] ?? `UNKNOWN(${code})`;
}

/** One ACL: who (principal, host) may or may not do what on which resource pattern. */
export interface AclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permission: number;
}

/** Creates the bindings; an existing identical ACL is no error (the broker's CreateAcls is idempotent). */
export async function createAcls(conn: KafkaConnection, bindings: readonly AclBinding[]): Promise<void> {
  const res = await conn.requestUntyped<CreateAclsResponse>(CREATE_ACLS.key, CREATE_ACLS.version, {
    creations: bindings.map((b) => ({
      resourceType: b.resourceType,
      resourceName: b.resourceName,
      resourcePatternType: b.patternType,
      principal: b.principal,
      host: b.host,
      operation: b.operation,
      permissionType: b.permission,
    })),
  });
  const failed = res.results.find((r) => r.errorCode !== 0);
  if (failed) throw new KafkaError(failed.errorCode, "creating ACLs", failed.errorMessage);
}

/** Every ACL of `principal`, on any resource. */
export async function describeAclsOf(conn: KafkaConnection, principal: string): Promise<AclBinding[]> {
  const filter: DescribeAclsRequest = {
    resourceTypeFilter: ResourceType.ANY,
    resourceNameFilter: null,
    patternTypeFilter: PatternType.ANY,
    principalFilter: principal,
    hostFilter: null,
    operation: AclOperation.ANY,
    permissionType: AclPermission.ANY,
  };
  const res = await conn.requestUntyped<DescribeAclsResponse>(DESCRIBE_ACLS.key, DESCRIBE_ACLS.version, filter);
  if (res.errorCode !== 0) throw new KafkaError(res.errorCode, `describing the ACLs of ${principal}`, res.errorMessage);
  return res.resources.flatMap((r) =>
    r.acls.map((a) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      patternType: r.patternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation,
      permission: a.permissionType,
    }))
  );
}

/** Deletes every ACL of `principal`, on any resource; returns how many the broker removed. */
export async function deleteAclsOf(conn: KafkaConnection, principal: string): Promise<number> {
  const filter: DeleteAclsFilter = {
    resourceTypeFilter: ResourceType.ANY,
    resourceNameFilter: null,
    patternTypeFilter: PatternType.ANY,
    principalFilter: principal,
    hostFilter: null,
    operation: AclOperation.ANY,
    permissionType: AclPermission.ANY,
  };
  const res = await conn.requestUntyped<DeleteAclsResponse>(DELETE_ACLS.key, DELETE_ACLS.version, { filters: [filter] });
  const result = res.filterResults[0];
  if (!result) throw new Error(`DeleteAcls for ${principal} returned no result`);
  if (result.errorCode !== 0) throw new KafkaError(result.errorCode, `deleting the ACLs of ${principal}`, result.errorMessage);
  const failed = result.matchingAcls.find((m) => m.errorCode !== 0);
  if (failed) throw new KafkaError(failed.errorCode, `deleting an ACL of ${principal}`, failed.errorMessage);
  return result.matchingAcls.length;
}
