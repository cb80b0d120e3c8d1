// Hand rules for the classic group APIs whose member metadata is opaque bytes in the specs but,
// for protocol type "consumer", Kafka's consumer protocol: topic names the broker itself reads
// (it decodes them to convert a classic group to a KIP-848 consumer group and back, and to
// compute assignments for classic members of a consumer group). Those names get the prefix like
// every other name; bytes kgate cannot decode are refused, never forwarded unprefixed.
//
// Other protocol types (Kafka Connect's "connect", custom ones) stay opaque: the broker reads
// nothing in them — it never converts or assigns such groups — and only the members of the same
// group, all of one tenant since group ids carry the prefix, ever see them. A tenant can write
// any name there, but no one outside its own group reads it.
import { getLogger } from "../base/log.ts";
import { ErrorCode } from "../protocol/error-codes.ts";
import { ApiKey } from "../protocol/messages/api-keys.ts";
import { EMPTY_BYTES } from "../protocol/wire.ts";
import { ConsumerProtocolError } from "./consumer-protocol-codec.ts";
import { prefixAssignment, prefixSubscription, stripAssignment, stripSubscription } from "./consumer-protocol-names.ts";
import { type Refusal, typedRule } from "./hand-rule.ts";
import type { Tenant } from "./tenant.ts";

const log = getLogger("vcluster.consumer-protocol");

const CONSUMER_PROTOCOL_TYPE = "consumer";
/** SyncGroup names its protocol type from this version on (KIP-559). */
const SYNC_GROUP_PROTOCOL_TYPE_VERSION = 5;
const MAX_REMEMBERED_JOINS = 32;

/**
 * SyncGroup before v5 does not say its protocol type, so kgate remembers it from the JoinGroup
 * that made the member: a successful join of (group, member id, generation) proves the group's
 * type then. Keyed by that triple, not by group alone, so a later failed or foreign-typed join
 * cannot relabel a generation the broker holds as "consumer". Kept per Tenant object — one per
 * connection (a client joins and syncs on its coordinator connection) — and bounded.
 */
class JoinedGenerations {
  private readonly types = new Map<string, string>();

  private key(groupId: string, memberId: string, generationId: number): string {
    return `${groupId}\u0000${memberId}\u0000${generationId}`;
  }

  remember(groupId: string, memberId: string, generationId: number, protocolType: string): void {
    const k = this.key(groupId, memberId, generationId);
    this.types.delete(k);
    this.types.set(k, protocolType);
    if (this.types.size > MAX_REMEMBERED_JOINS) this.types.delete(this.types.keys().next().value!);
  }

  protocolType(groupId: string, memberId: string, generationId: number): string | undefined {
    return this.types.get(this.key(groupId, memberId, generationId));
  }
}

const joined = new WeakMap<Tenant, JoinedGenerations>();

function joinedFor(tenant: Tenant): JoinedGenerations {
  let j = joined.get(tenant);
  if (!j) joined.set(tenant, j = new JoinedGenerations());
  return j;
}

/** JoinGroup and SyncGroup responses carry no error message: the reason goes to the log. */
function refusal(tenant: Tenant, errorCode: number, message: string): Refusal {
  log.info("vcluster {vcluster}: refused: {reason}", { vcluster: tenant.name, reason: message });
  return { errorCode, message };
}

function refuse(tenant: Tenant, e: unknown, where: string): Refusal {
  if (!(e instanceof ConsumerProtocolError)) throw e;
  return refusal(tenant, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `${where}: ${e.message}`);
}

export const joinGroupRule = typedRule(ApiKey.JoinGroup, {
  request(body, ctx) {
    const { tenant } = ctx;
    const protocolType = body.protocolType;
    ctx.responseFixups.push((response) => {
      if (response.errorCode !== ErrorCode.NONE) return;
      joinedFor(tenant).remember(body.groupId, response.memberId, response.generationId, protocolType);
      if (protocolType !== CONSUMER_PROTOCOL_TYPE) return;
      // Only the leader gets members; the broker also writes them for members it converted.
      response.members = response.members.filter((m) => {
        try {
          m.metadata = stripSubscription(m.metadata, tenant);
          return true;
        } catch (e) {
          if (!(e instanceof ConsumerProtocolError)) throw e;
          log.warning("JoinGroup response: member {member} left out of the leader's list: {reason}", { member: m.memberId, reason: e.message });
          return false;
        }
      });
    });
    if (protocolType !== CONSUMER_PROTOCOL_TYPE) return;
    for (const p of body.protocols) {
      try {
        p.metadata = prefixSubscription(p.metadata, tenant);
      } catch (e) {
        return refuse(tenant, e, `JoinGroup protocol ${p.name}`);
      }
    }
  },
});

export const syncGroupRule = typedRule(ApiKey.SyncGroup, {
  request(body, ctx) {
    const { tenant } = ctx;
    const protocolType = ctx.version >= SYNC_GROUP_PROTOCOL_TYPE_VERSION && body.protocolType !== null
      // The broker refuses a SyncGroup whose stated type differs from the group's.
      ? body.protocolType
      : joinedFor(tenant).protocolType(body.groupId, body.memberId, body.generationId);
    if (protocolType === undefined) {
      // Fail closed: kgate cannot tell consumer assignments from opaque ones. The client's
      // answer to this error is to join again, through kgate, which then knows.
      return refusal(
        tenant,
        ErrorCode.REBALANCE_IN_PROGRESS,
        `SyncGroup v${ctx.version} without a protocol type for a member that did not join on this connection`,
      );
    }
    if (protocolType !== CONSUMER_PROTOCOL_TYPE) return;
    for (const a of body.assignments) {
      // Empty bytes name nothing; the broker itself sends them for "no assignment".
      if (a.assignment.length === 0) continue;
      try {
        a.assignment = prefixAssignment(a.assignment, tenant);
      } catch (e) {
        return refuse(tenant, e, `SyncGroup assignment for member ${a.memberId}`);
      }
    }
    ctx.responseFixups.push((response) => {
      if (response.assignment.length === 0) return;
      try {
        response.assignment = stripAssignment(response.assignment, tenant);
      } catch (e) {
        if (!(e instanceof ConsumerProtocolError)) throw e;
        log.warning("SyncGroup response: assignment withheld: {reason}", { reason: e.message });
        response.assignment = EMPTY_BYTES;
        response.errorCode = ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
      }
    });
  },
});

export const describeGroupsRule = typedRule(ApiKey.DescribeGroups, {
  response(body, { tenant }) {
    for (const g of body.groups) {
      if (g.protocolType !== CONSUMER_PROTOCOL_TYPE) continue;
      for (const m of g.members) {
        m.memberMetadata = stripOrEmpty(m.memberMetadata, (b) => stripSubscription(b, tenant), g.groupId);
        m.memberAssignment = stripOrEmpty(m.memberAssignment, (b) => stripAssignment(b, tenant), g.groupId);
      }
    }
  },
});

/** What kgate cannot decode is not shown (it could carry backing names). */
function stripOrEmpty(bytes: Uint8Array, strip: (b: Uint8Array) => Uint8Array, groupId: string): Uint8Array {
  if (bytes.length === 0) return bytes;
  try {
    return strip(bytes);
  } catch (e) {
    if (!(e instanceof ConsumerProtocolError)) throw e;
    log.warning("DescribeGroups response: member metadata of group {group} withheld: {reason}", { group: groupId, reason: e.message });
    return EMPTY_BYTES;
  }
}
