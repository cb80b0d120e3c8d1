// The Kafka store's records: one per stored item, keyed `<kind>/<id>`, the item as JSON, a
// tombstone (null value) when it is removed. The state is a function of each key's latest value,
// so a compacted topic (latest value per key only) replays to the same state as the full log.
//
//   vcluster/<name>                  VclusterRecord
//   account/<vcluster>/<username>    ServiceAccountRecord
//   token/<jti>                      IssuedTokenRecord
//   revoked/<jti>                    RevokedTokenRecord
//   tenancy/since                    when the store first held a vcluster (never removed)
//   deleted/<name>                   DeletedVclusterRecord (the incarnation deleted last)
//   acl/<vcluster>/<binding>         AclRecord (`aclRecordKey`: the binding's fields as JSON)
//
// Older kgates also wrote `secret/<name>/<candidate>` records holding the admin token and the
// token signing key. Anyone who can read the topic can read those, so they are never used: they
// are reported (to be tombstoned) and otherwise ignored (invariant 6).
//
// Every record is checked against the state built from the records before it, with the rules
// admin writes follow, because anyone with write access to the topic can append anything, and
// because two nodes may each have checked a change against a state without the other's. So the
// log order decides: of two conflicting records, the first one applies and the later one is
// refused on every node alike.
import { z } from "zod";
import type { StoreEvent } from "./events.ts";
import { type StoreRules, vclusterRecordProblem } from "./mutations.ts";
import { aclRecordSchema, deletedVclusterSchema, issuedTokenSchema, revokedTokenSchema, serviceAccountSchema, vclusterSchema } from "./record-schemas.ts";
import { aclRecordKey, own, serviceAccountKey, type StoreState, type VclusterRecord } from "./records.ts";

export interface StateRecord {
  readonly key: string;
  /** JSON; null removes the key. */
  readonly value: string | null;
}

export interface ApplyContext extends StoreRules {
  /** The reader's clock (ms since the epoch): a revocation stays while its token is valid by it. */
  readonly now: number;
}

/** Kind of the records older kgates kept secrets in. */
const LEGACY_SECRET_KIND = "secret";

type Collection = "vclusters" | "serviceAccounts" | "tokens" | "revokedTokens" | "deletedVclusters" | "acls";

// Kind prefixes in the order a change's records are written, so that a node applying them sees
// a vcluster before its accounts and tokens.
const COLLECTIONS: readonly { kind: string; collection: Collection }[] = [
  { kind: "vcluster", collection: "vclusters" },
  { kind: "account", collection: "serviceAccounts" },
  { kind: "token", collection: "tokens" },
  { kind: "revoked", collection: "revokedTokens" },
  { kind: "deleted", collection: "deletedVclusters" },
  { kind: "acl", collection: "acls" },
];

/** The records that turn `prev` into `next`. */
export function stateChangeRecords(prev: StoreState, next: StoreState): StateRecord[] {
  const out: StateRecord[] = [];
  for (const { kind, collection } of COLLECTIONS) {
    const before: Readonly<Record<string, unknown>> = prev[collection];
    const after: Readonly<Record<string, unknown>> = next[collection];
    for (const [id, item] of Object.entries(after)) {
      const old = own(before, id);
      if (old !== item && JSON.stringify(old) !== JSON.stringify(item)) out.push({ key: `${kind}/${id}`, value: JSON.stringify(item) });
    }
    for (const id of Object.keys(before)) {
      if (!Object.hasOwn(after, id)) out.push({ key: `${kind}/${id}`, value: null });
    }
  }
  if (next.tenancySince !== undefined && prev.tenancySince === undefined) {
    out.push({ key: "tenancy/since", value: JSON.stringify(next.tenancySince) });
  }
  return out;
}

/** The record that says what `state` holds for `key`: its item, or a tombstone when it has none. */
export function acceptedRecord(state: StoreState, key: string): StateRecord {
  const slash = key.indexOf("/");
  const collection = COLLECTIONS.find((c) => c.kind === key.slice(0, slash))?.collection;
  const item = collection ? own<unknown>(state[collection], key.slice(slash + 1)) : undefined;
  return { key, value: item === undefined ? null : JSON.stringify(item) };
}

export type Applied =
  | {
    readonly ok: true;
    readonly state: StoreState;
    readonly events: readonly StoreEvent[];
    /** The record held a secret an older kgate stored: ignored, and to be removed. */
    readonly legacySecret?: boolean;
  }
  | { readonly ok: false; readonly problem: string };

/**
 * `state` with one record from the log applied, and the events that describes. Applying a
 * record whose value the state already holds changes nothing and emits nothing. Records this
 * kgate cannot read (a newer format, a foreign writer) or that break a rule against `state`
 * come back as a problem to log and skip.
 */
export function applyStateRecord(state: StoreState, record: StateRecord, context: ApplyContext = { now: Date.now() }): Applied {
  const slash = record.key.indexOf("/");
  const kind = record.key.slice(0, slash);
  const id = record.key.slice(slash + 1);
  if (slash <= 0 || id === "") return problem(record, "key is not <kind>/<id>");
  let json: unknown = null;
  if (record.value !== null) {
    try {
      json = JSON.parse(record.value);
    } catch {
      return problem(record, "value is not JSON");
    }
  }
  switch (kind) {
    case "vcluster":
      return applyVcluster(state, id, json, record, context);
    case "account": {
      const removed = json === null ? own(state.serviceAccounts, id) : undefined;
      const applied = applyItem(
        state,
        "serviceAccounts",
        id,
        json,
        serviceAccountSchema,
        (a) => serviceAccountKey(a.vcluster, a.username),
        record, // Rotated credentials are an upsert too: every node re-reads them.
        (a) => [{ type: "service-account-upserted", account: a }],
      );
      // A removed account is an event as well: its connections on every node re-check their login.
      if (removed && applied.ok && applied.events.length === 0) return { ...applied, events: [{ type: "service-account-deleted", account: removed }] };
      return applied;
    }
    case "token":
      return applyItem(state, "tokens", id, json, issuedTokenSchema, (t) => t.jti, record, (t, old) => (old ? [] : [{ type: "token-issued", token: t }]));
    case "revoked": {
      // A node whose clock runs ahead may prune a revocation while the token is still valid
      // here: the revocation stays until the token's own exp by this node's clock.
      const kept = own(state.revokedTokens, id);
      if (json === null && kept && kept.expiresAt * 1000 > context.now) return { ok: true, state, events: [] };
      return applyItem(
        state,
        "revokedTokens",
        id,
        json,
        revokedTokenSchema,
        (r) => r.jti,
        record,
        (r, old) => (old ? [] : [{ type: "token-revoked", revoked: r }]),
      );
    }
    case "deleted":
      return applyItem(state, "deletedVclusters", id, json, deletedVclusterSchema, (d) => d.name, record, () => []);
    case "acl": {
      // Every change of a vcluster's ACLs is an event: each node's sessions authorize with the new ones.
      const removed = json === null ? own(state.acls, id) : undefined;
      const applied = applyItem(
        state,
        "acls",
        id,
        json,
        aclRecordSchema,
        (a) => aclRecordKey(a.vcluster, a),
        record,
        (a) => [{ type: "acls-changed", vcluster: a.vcluster }],
      );
      if (removed && applied.ok) return { ...applied, events: [{ type: "acls-changed", vcluster: removed.vcluster }] };
      return applied;
    }
    case "tenancy":
      return applyTenancy(state, id, json, record);
    case LEGACY_SECRET_KIND:
      return { ok: true, state, events: [], legacySecret: json !== null };
    default:
      return problem(record, `unknown kind "${kind}"`);
  }
}

function applyVcluster(state: StoreState, name: string, json: unknown, record: StateRecord, rules: StoreRules): Applied {
  const existing = own(state.vclusters, name);
  if (json === null) {
    if (!existing) return { ok: true, state, events: [] };
    const { [name]: _removed, ...vclusters } = state.vclusters;
    return { ok: true, state: { ...state, vclusters }, events: [{ type: "vcluster-deleted", vcluster: existing }] };
  }
  const parsed = vclusterSchema.safeParse(json);
  if (!parsed.success) return problem(record, oneLine(parsed.error));
  const v: VclusterRecord = parsed.data;
  if (v.name !== name) return problem(record, `holds vcluster "${v.name}"`);
  if (existing && JSON.stringify(existing) === JSON.stringify(v)) return { ok: true, state, events: [] };
  const refused = vclusterRecordProblem(state, v, rules);
  if (refused) return problem(record, refused.message);
  return {
    ok: true,
    state: { ...state, vclusters: { ...state.vclusters, [name]: v } },
    events: [{ type: "vcluster-upserted", vcluster: v, created: !existing }],
  };
}

type ItemOf<C extends Collection> = StoreState[C][string];

function applyItem<C extends Exclude<Collection, "vclusters">>(
  state: StoreState,
  collection: C,
  id: string,
  json: unknown,
  schema: z.ZodType<ItemOf<C>>,
  idOf: (item: ItemOf<C>) => string,
  record: StateRecord,
  eventsFor: (item: ItemOf<C>, old: ItemOf<C> | undefined) => StoreEvent[],
): Applied {
  const items = state[collection] as Readonly<Record<string, ItemOf<C>>>;
  const existing = own(items, id);
  if (json === null) {
    if (!existing) return { ok: true, state, events: [] };
    const { [id]: _removed, ...rest } = items;
    return { ok: true, state: { ...state, [collection]: rest }, events: [] };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return problem(record, oneLine(parsed.error));
  const item = parsed.data;
  if (idOf(item) !== id) return problem(record, `holds an item with id "${idOf(item)}"`);
  if (existing && JSON.stringify(existing) === JSON.stringify(item)) return { ok: true, state, events: [] };
  return { ok: true, state: { ...state, [collection]: { ...items, [id]: item } }, events: eventsFor(item, existing) };
}

/** zod's issues as one log-friendly line: `createdAt: Invalid ISO datetime; name: ...`. */
function oneLine(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ");
}

/** The first marker wins; a tombstone or a later marker cannot end tenancy. */
function applyTenancy(state: StoreState, id: string, json: unknown, record: StateRecord): Applied {
  if (id !== "since") return problem(record, "unknown tenancy record");
  if (json === null || state.tenancySince !== undefined) return { ok: true, state, events: [] };
  if (typeof json !== "string" || Number.isNaN(Date.parse(json))) return problem(record, "tenancy/since is not a time");
  return { ok: true, state: { ...state, tenancySince: json }, events: [] };
}

function problem(record: StateRecord, why: string): Applied {
  return { ok: false, problem: `state record "${record.key}": ${why}` };
}
