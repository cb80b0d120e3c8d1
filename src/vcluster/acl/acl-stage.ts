// The ACL stage of the vcluster data plane: with `aclEnabled`, a tenant request is checked
// against the vcluster's ACLs (acl-table.ts) before kgate prefixes its names, so ACLs speak the
// tenant's own names. Refused entries leave the request and come back in the response with the
// API's authorization error; a request refused whole is answered by kgate.
import type { RequestHead } from "../../gateway/session-policy.ts";
import { walkEntities } from "../../protocol/entity-walk.ts";
import { apiSpec } from "../../protocol/registry.ts";
import type { Tenant } from "../tenant.ts";
import type { TopicIdDirectory } from "../topic-id-directory.ts";
import { ZERO_TOPIC_ID } from "../topic-id-directory.ts";
import { AclIndex, type AclSubject } from "../../model/acl-matcher.ts";
import { AclError, SUPPORTED_OPERATIONS } from "../../model/acl-model.ts";
import type { AclRefusal, AclRuleContext } from "./acl-refusals.ts";
import { API_ACLS } from "./acl-table.ts";
import type { AclBinding } from "../../model/acl-model.ts";

type Obj = Record<string, unknown>;

/** A vcluster's ACL settings as the data plane reads them, live from the store. */
export interface VclusterAclSettings {
  readonly index: AclIndex;
  readonly superUsers: ReadonlySet<string>;
}

/** Where the stage reads a vcluster's ACL settings; null when ACLs are off in it. */
export type AclSettingsSource = (vcluster: string) => VclusterAclSettings | null;

/** Builds the settings source over a store's reads; the index is rebuilt only when the ACLs change. */
export function aclSettingsFrom(
  vclusterRecord: (name: string) => { aclEnabled?: boolean; superUsers?: readonly string[] } | undefined,
  listAcls: (vcluster: string) => readonly AclBinding[],
): AclSettingsSource {
  const indexes = new WeakMap<readonly AclBinding[], AclIndex>();
  return (name) => {
    const v = vclusterRecord(name);
    if (!v?.aclEnabled) return null;
    const acls = listAcls(name);
    let index = indexes.get(acls);
    if (!index) indexes.set(acls, index = new AclIndex(acls));
    return { index, superUsers: new Set(v.superUsers ?? []) };
  };
}

/** The decisions of one session (principal and address) under a vcluster's settings. */
export class AclDecisions {
  constructor(readonly settings: VclusterAclSettings, readonly subject: AclSubject) {}

  get superUser(): boolean {
    return this.settings.superUsers.has(this.subject.principal);
  }

  allows(operation: number, resourceType: number, name: string): boolean {
    return this.superUser || this.settings.index.allows(this.subject, operation, resourceType, name);
  }

  allowsAnyOfType(operation: number, resourceType: number): boolean {
    return this.superUser || this.settings.index.allowsAnyOfType(this.subject, operation, resourceType);
  }

  /** AuthHelper.authorizedOperations: the supported operations allowed, as a bit field. */
  authorizedOperations(resourceType: number, name: string): number {
    let bits = 0;
    for (const op of SUPPORTED_OPERATIONS.get(resourceType) ?? []) if (this.allows(op, resourceType, name)) bits |= 1 << op;
    return bits;
  }
}

export type AclStageResult =
  | { readonly kind: "pass"; readonly fixups: Array<(response: Obj) => void> }
  | { readonly kind: "refuse"; readonly refusal: AclRefusal };

/**
 * Checks one decoded tenant request (names still the tenant's). Topic ids are named through
 * the directory; an id kgate cannot name is left for the broker to refuse.
 */
export async function aclStage(
  body: Obj,
  head: RequestHead,
  tenant: Tenant,
  decisions: AclDecisions,
  topicIds: TopicIdDirectory,
): Promise<AclStageResult> {
  const fixups: Array<(response: Obj) => void> = [];
  if (decisions.superUser) return { kind: "pass", fixups };
  const rule = API_ACLS.get(head.apiKey);
  if (!rule) {
    // Fail closed: an offered API without a table entry is for super users only.
    return { kind: "refuse", refusal: { errorCode: AclError.CLUSTER_AUTHORIZATION_FAILED, message: "Cluster authorization failed." } };
  }
  const idNames = await tenantTopicNames(body, head, tenant, topicIds);
  const ctx: AclRuleContext = {
    version: head.apiVersion,
    allows: (op, type, name) => decisions.allows(op, type, name),
    allowsAnyOfType: (op, type) => decisions.allowsAnyOfType(op, type),
    authorizedOperations: (type, name) => decisions.authorizedOperations(type, name),
    topicName(entry, nameProp) {
      const name = entry[nameProp];
      if (typeof name === "string" && name !== "") return name;
      const id = entry.topicId;
      return typeof id === "string" ? idNames.get(id) : undefined;
    },
    knownTopicName(id) {
      if (idNames.has(id)) return idNames.get(id);
      const backing = topicIds.known(id);
      return backing !== undefined && tenant.owns(backing) ? (tenant.strip(backing) ?? undefined) : undefined;
    },
    fixups,
  };
  const refusal = rule.request(body, ctx);
  return refusal ? { kind: "refuse", refusal } : { kind: "pass", fixups };
}

/** The tenant's names of the topic ids a request carries (ids of other tenants stay unnamed). */
async function tenantTopicNames(body: Obj, head: RequestHead, tenant: Tenant, topicIds: TopicIdDirectory): Promise<Map<string, string>> {
  const ids = new Set<string>();
  walkEntities(body, apiSpec(head.apiKey)!.request.entities, head.apiVersion, "topicId", (container, prop) => {
    const v = container[prop];
    if (typeof v === "string" && v !== ZERO_TOPIC_ID) ids.add(v);
  });
  const out = new Map<string, string>();
  if (ids.size === 0) return out;
  const names = await topicIds.resolve(ids, tenant.name);
  for (const [id, backing] of names) {
    const own = backing !== undefined && tenant.owns(backing) ? tenant.strip(backing) : null;
    if (own !== null) out.set(id, own);
  }
  return out;
}
