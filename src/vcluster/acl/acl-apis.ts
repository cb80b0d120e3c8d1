// CreateAcls, DescribeAcls and DeleteAcls inside a virtual cluster: answered by kgate from its
// own store, never forwarded (the backing cluster's ACLs name backing principals and are the
// operator's). Names are the tenant's; a vcluster's ACLs are stored under it and no request can
// name another vcluster's. Who may manage them follows the broker (AclApis): ALTER on the
// CLUSTER to create or delete, DESCRIBE on the CLUSTER to describe; super users always.
import type { AuditInput } from "../../audit/audit-event.ts";
import type { RequestHead, RequestOutcome } from "../../gateway/session-policy.ts";
import { decodeRequest, encodeResponse } from "../../protocol/codec.ts";
import { ApiKey } from "../../protocol/messages/api-keys.ts";
import type { CreateAclsRequest } from "../../protocol/messages/create-acls-request.ts";
import type { DeleteAclsFilter, DeleteAclsRequest } from "../../protocol/messages/delete-acls-request.ts";
import type { DescribeAclsRequest } from "../../protocol/messages/describe-acls-request.ts";
import type { DescribeAclsResource } from "../../protocol/messages/describe-acls-response.ts";
import type { AclDecisions } from "./acl-stage.ts";
import {
  type AclBinding,
  AclError,
  type AclFilter,
  aclFilterProblem,
  CLUSTER_NAME,
  Op,
  operationName,
  patternTypeName,
  permissionName,
  Res,
  resourceTypeName,
} from "../../model/acl-model.ts";
import { AclIndex } from "../../model/acl-matcher.ts";

const DESCRIBE_ACLS = ApiKey.DescribeAcls;
const CREATE_ACLS = ApiKey.CreateAcls;
const DELETE_ACLS = ApiKey.DeleteAcls;

export function isAclApi(apiKey: number): boolean {
  return apiKey === DESCRIBE_ACLS || apiKey === CREATE_ACLS || apiKey === DELETE_ACLS;
}

/** What the ACL APIs need of the store, for one vcluster. */
export interface AclAdmin {
  list(vcluster: string): readonly AclBinding[];
  create(vcluster: string, bindings: readonly AclBinding[]): Promise<readonly ({ ok: true } | { ok: false; problem: string })[]>;
  delete(vcluster: string, filters: readonly AclFilter[]): Promise<readonly (readonly AclBinding[])[]>;
}

export interface AclApiContext {
  readonly vcluster: string;
  /** The session's decisions; null when ACLs are off in the vcluster (the broker's "no authorizer"). */
  readonly decisions: AclDecisions | null;
  readonly admin: AclAdmin;
  /** Records one audit event per ACL change (who and where are filled in by the caller). */
  audit(event: Pick<AuditInput, "action" | "resource" | "outcome" | "detail">): void;
}

/** Bounds one request's work (each filter is matched against up to 1,000 ACLs; invariant 4). */
const MAX_ACL_ENTRIES_PER_REQUEST = 1000;
const TOO_MANY = `at most ${MAX_ACL_ENTRIES_PER_REQUEST} creations or filters per request`;
const NOT_ENABLED = "ACLs are not enabled in this virtual cluster (an administrator sets aclEnabled)";
const DENIED = "Cluster authorization failed.";

/** Kafka's AclBinding.toString, roughly: how an ACL is named in audit events and logs. */
export function describeBinding(b: AclBinding): string {
  return `${resourceTypeName(b.resourceType)}:${patternTypeName(b.patternType)}:${b.resourceName} ${b.principal} from ${b.host} ${
    permissionName(b.permissionType)
  } ${operationName(b.operation)}`;
}

export async function answerAclApi(frame: Uint8Array, head: RequestHead, ctx: AclApiContext): Promise<RequestOutcome> {
  const answer = (body: Record<string, unknown>): RequestOutcome => ({
    kind: "answer",
    frame: encodeResponse(head.apiKey, head.apiVersion, { correlationId: head.correlationId }, { throttleTimeMs: 0, ...body }),
  });
  const { decisions } = ctx;
  const may = (op: number) => decisions !== null && decisions.allows(op, Res.CLUSTER, CLUSTER_NAME);
  const refusal = decisions === null ? AclError.SECURITY_DISABLED : AclError.CLUSTER_AUTHORIZATION_FAILED;
  const refusalMessage = decisions === null ? NOT_ENABLED : DENIED;

  if (head.apiKey === DESCRIBE_ACLS) {
    const { body } = decodeRequest<DescribeAclsRequest>(frame);
    if (!may(Op.DESCRIBE)) return answer({ errorCode: refusal, errorMessage: refusalMessage, resources: [] });
    const filter: AclFilter = {
      resourceType: body.resourceTypeFilter,
      resourceName: body.resourceNameFilter,
      patternType: body.patternTypeFilter,
      principal: body.principalFilter,
      host: body.hostFilter,
      operation: body.operation,
      permissionType: body.permissionType,
    };
    const problem = aclFilterProblem(filter);
    if (problem) return answer({ errorCode: AclError.INVALID_REQUEST, errorMessage: problem, resources: [] });
    const matched = new AclIndex(ctx.admin.list(ctx.vcluster)).matching(filter);
    return answer({ errorCode: AclError.NONE, errorMessage: null, resources: groupByResource(matched) });
  }

  if (head.apiKey === CREATE_ACLS) {
    const { body } = decodeRequest<CreateAclsRequest>(frame);
    const bindings: AclBinding[] = body.creations.map((c) => ({
      resourceType: c.resourceType,
      resourceName: c.resourceName,
      patternType: c.resourcePatternType,
      principal: c.principal,
      host: c.host,
      operation: c.operation,
      permissionType: c.permissionType,
    }));
    if (bindings.length > MAX_ACL_ENTRIES_PER_REQUEST) {
      return answer({ results: bindings.map(() => ({ errorCode: AclError.INVALID_REQUEST, errorMessage: TOO_MANY })) });
    }
    if (!may(Op.ALTER)) {
      for (const b of bindings) ctx.audit({ action: "acl.create", resource: describeBinding(b), outcome: "failure", detail: refusalMessage });
      return answer({ results: bindings.map(() => ({ errorCode: refusal, errorMessage: refusalMessage })) });
    }
    let results: readonly ({ ok: true } | { ok: false; problem: string })[];
    try {
      results = await ctx.admin.create(ctx.vcluster, bindings);
    } catch (e) {
      const message = `ACLs not stored: ${(e as Error).message}`;
      results = bindings.map(() => ({ ok: false as const, problem: message }));
    }
    const out = results.map((r, i) => {
      ctx.audit({ action: "acl.create", resource: describeBinding(bindings[i]!), outcome: r.ok ? "success" : "failure", detail: r.ok ? undefined : r.problem });
      return r.ok ? { errorCode: AclError.NONE, errorMessage: null } : { errorCode: AclError.INVALID_REQUEST, errorMessage: r.problem };
    });
    return answer({ results: out });
  }

  // DeleteAcls
  const { body } = decodeRequest<DeleteAclsRequest>(frame);
  const filters = body.filters.map(toFilter);
  if (filters.length > MAX_ACL_ENTRIES_PER_REQUEST) {
    return answer({ filterResults: filters.map(() => ({ errorCode: AclError.INVALID_REQUEST, errorMessage: TOO_MANY, matchingAcls: [] })) });
  }
  if (!may(Op.ALTER)) {
    ctx.audit({ action: "acl.delete", resource: `${filters.length} filters`, outcome: "failure", detail: refusalMessage });
    return answer({ filterResults: filters.map(() => ({ errorCode: refusal, errorMessage: refusalMessage, matchingAcls: [] })) });
  }
  const valid = filters.map((f) => aclFilterProblem(f));
  let deleted: readonly (readonly AclBinding[])[] = [];
  let failure: string | null = null;
  try {
    deleted = await ctx.admin.delete(ctx.vcluster, filters.filter((_, i) => valid[i] === null));
  } catch (e) {
    failure = `ACLs not deleted: ${(e as Error).message}`;
  }
  let next = 0;
  const filterResults = filters.map((_, i) => {
    if (valid[i] !== null) return { errorCode: AclError.INVALID_REQUEST, errorMessage: valid[i], matchingAcls: [] };
    if (failure !== null) return { errorCode: AclError.INVALID_REQUEST, errorMessage: failure, matchingAcls: [] };
    const hits = deleted[next++] ?? [];
    for (const b of hits) ctx.audit({ action: "acl.delete", resource: describeBinding(b), outcome: "success" });
    return {
      errorCode: AclError.NONE,
      errorMessage: null,
      matchingAcls: hits.map((b) => ({
        errorCode: AclError.NONE,
        errorMessage: null,
        resourceType: b.resourceType,
        resourceName: b.resourceName,
        patternType: b.patternType,
        principal: b.principal,
        host: b.host,
        operation: b.operation,
        permissionType: b.permissionType,
      })),
    };
  });
  return answer({ filterResults });
}

function toFilter(f: DeleteAclsFilter): AclFilter {
  return {
    resourceType: f.resourceTypeFilter,
    resourceName: f.resourceNameFilter,
    patternType: f.patternTypeFilter,
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: f.operation,
    permissionType: f.permissionType,
  };
}

function groupByResource(bindings: readonly AclBinding[]): DescribeAclsResource[] {
  const byResource = new Map<string, DescribeAclsResource>();
  for (const b of bindings) {
    const key = JSON.stringify([b.resourceType, b.patternType, b.resourceName]);
    let r = byResource.get(key);
    if (!r) byResource.set(key, r = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] });
    r.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
  }
  return [...byResource.values()];
}
