// Tenant names inside the classic consumer protocol's metadata: the subscription's topics and
// owned partitions, the assignment's topics. Requests get the prefix; responses lose it, and
// entries naming another tenant's topic are dropped (they can only come from outside kgate).
import { type Assignment, decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type Subscription } from "./consumer-protocol-codec.ts";
import type { Tenant } from "./tenant.ts";

// userData stays as it is in both directions: the broker never reads it, and only the members
// of the same group (the same tenant, group ids being prefixed) do — with the tenant's own names.

export function prefixSubscription(bytes: Uint8Array, tenant: Tenant): Uint8Array {
  const s = decodeSubscription(bytes);
  const body: Subscription = {
    ...s.body,
    topics: s.body.topics.map((t) => tenant.add(t)),
    ownedPartitions: s.body.ownedPartitions.map((p) => ({ ...p, topic: tenant.add(p.topic) })),
  };
  return encodeSubscription({ version: s.version, body });
}

export function stripSubscription(bytes: Uint8Array, tenant: Tenant): Uint8Array {
  const s = decodeSubscription(bytes);
  const body: Subscription = {
    ...s.body,
    topics: s.body.topics.filter((t) => tenant.owns(t)).map((t) => tenant.strip(t)!),
    ownedPartitions: s.body.ownedPartitions.filter((p) => tenant.owns(p.topic)).map((p) => ({ ...p, topic: tenant.strip(p.topic)! })),
  };
  return encodeSubscription({ version: s.version, body });
}

export function prefixAssignment(bytes: Uint8Array, tenant: Tenant): Uint8Array {
  const a = decodeAssignment(bytes);
  const body: Assignment = {
    ...a.body,
    assignedPartitions: a.body.assignedPartitions.map((p) => ({ ...p, topic: tenant.add(p.topic) })),
  };
  return encodeAssignment({ version: a.version, body });
}

export function stripAssignment(bytes: Uint8Array, tenant: Tenant): Uint8Array {
  const a = decodeAssignment(bytes);
  const body: Assignment = {
    ...a.body,
    assignedPartitions: a.body.assignedPartitions.filter((p) => tenant.owns(p.topic)).map((p) => ({ ...p, topic: tenant.strip(p.topic)! })),
  };
  return encodeAssignment({ version: a.version, body });
}
