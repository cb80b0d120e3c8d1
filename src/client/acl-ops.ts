// ACL administration with kgate's own client (CreateAcls, DescribeAcls, DeleteAcls): what the
// backing-ACL provisioning needs. v3 is served by every Kafka from 2.8 to 4.x. Bindings are the
// model's AclBinding; the codes are the generated constants.
import { type AclBinding } from "../model/acl-model.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { AclOperation, AclPermissionType, PatternType, ResourceType } from "../protocol/messages/constants.ts";
import type { DeleteAclsFilter } from "../protocol/messages/delete-acls-request.ts";
import type { DescribeAclsRequest } from "../protocol/messages/describe-acls-request.ts";
import type { KafkaConnection } from "./kafka-connection.ts";
import { KafkaError } from "./kafka-errors.ts";

const ACLS_VERSION = 3;

/** Creates the bindings; an existing identical ACL is no error (the broker's CreateAcls is idempotent). */
export async function createAcls(conn: KafkaConnection, bindings: readonly AclBinding[]): Promise<void> {
  const res = await conn.request(ApiKey.CreateAcls, ACLS_VERSION, {
    creations: bindings.map((b) => ({
      resourceType: b.resourceType,
      resourceName: b.resourceName,
      resourcePatternType: b.patternType,
      principal: b.principal,
      host: b.host,
      operation: b.operation,
      permissionType: b.permissionType,
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
    permissionType: AclPermissionType.ANY,
  };
  const res = await conn.request(ApiKey.DescribeAcls, ACLS_VERSION, filter);
  if (res.errorCode !== 0) throw new KafkaError(res.errorCode, `describing the ACLs of ${principal}`, res.errorMessage);
  return res.resources.flatMap((r) =>
    r.acls.map((a) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      patternType: r.patternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation,
      permissionType: a.permissionType,
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
    permissionType: AclPermissionType.ANY,
  };
  const res = await conn.request(ApiKey.DeleteAcls, ACLS_VERSION, { filters: [filter] });
  const result = res.filterResults[0];
  if (!result) throw new Error(`DeleteAcls for ${principal} returned no result`);
  if (result.errorCode !== 0) throw new KafkaError(result.errorCode, `deleting the ACLs of ${principal}`, result.errorMessage);
  const failed = result.matchingAcls.find((m) => m.errorCode !== 0);
  if (failed) throw new KafkaError(failed.errorCode, `deleting an ACL of ${principal}`, failed.errorMessage);
  return result.matchingAcls.length;
}
