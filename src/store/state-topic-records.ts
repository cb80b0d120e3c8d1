// The Kafka store's records: one per stored item, keyed `<kind>/<id>`, the item as JSON, a
// tombstone (null value) when it is removed. The state is a function of each key's latest value,
// so a compacted topic (latest value per key only) replays to the same state as the full log.
//
//   vcluster/<name>                  VclusterRecord
//   account/<vcluster>/<username>    ServiceAccountRecord
//   token/<jti>                      IssuedTokenRecord
//   revoked/<jti>                    RevokedTokenRecord
//   secret/<name>/<candidate id>     the secret as a JSON string
//   tenancy/since                    when the store first held a vcluster (never removed)
//
// Secrets are the exception: the first candidate in the log wins and later ones are ignored,
// so nodes that generate one at the same moment all settle on the same value. Each candidate
// has a key of its own because compaction keeps only the *last* value of a key, which would
// let a late loser replace the winner for nodes that replay the compacted log.
import { z } from "zod";
import type { StoreEvent } from "./events.ts";
import { issuedTokenSchema, revokedTokenSchema, serviceAccountSchema, vclusterSchema } from "./record-schemas.ts";
import { own, type SecretName, serviceAccountKey, type StoreState, type VclusterRecord } from "./records.ts";

export interface StateRecord {
  readonly key: string;
  /** JSON; null removes the key. */
  readonly value: string | null;
}

const SECRET_NAMES: readonly SecretName[] = ["adminToken", "tokenSecret"];

type Collection = "vclusters" | "serviceAccounts" | "tokens" | "revokedTokens";

// Kind prefixes in the order a change's records are written, so that a node applying them sees
// a vcluster before its accounts and tokens.
const COLLECTIONS: readonly { kind: string; collection: Collection }[] = [
  { kind: "vcluster", collection: "vclusters" },
  { kind: "account", collection: "serviceAccounts" },
  { kind: "token", collection: "tokens" },
  { kind: "revoked", collection: "revokedTokens" },
];

/** The records that turn `prev` into `next`; `candidateId` names a new secret candidate. */
export function stateChangeRecords(prev: StoreState, next: StoreState, candidateId: () => string): StateRecord[] {
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
  for (const name of SECRET_NAMES) {
    const value = next.secrets[name];
    // Secrets are never changed or removed: only the first one matters.
    if (value !== undefined && prev.secrets[name] === undefined) {
      out.push({ key: `secret/${name}/${candidateId()}`, value: JSON.stringify(value) });
    }
  }
  return out;
}

export type Applied =
  | { readonly ok: true; readonly state: StoreState; readonly events: readonly StoreEvent[] }
  | { readonly ok: false; readonly problem: string };

/**
 * `state` with one record from the log applied, and the events that describes. Applying a
 * record whose value the state already holds changes nothing and emits nothing. Records this
 * kgate cannot read (a newer format, a foreign writer) come back as a problem to log and skip.
 */
export function applyStateRecord(state: StoreState, record: StateRecord): Applied {
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
      return applyVcluster(state, id, json, record);
    case "account":
      return applyItem(state, "serviceAccounts", id, json, serviceAccountSchema,
        (a) => serviceAccountKey(a.vcluster, a.username), record,
        (a, old) => (old ? [] : [{ type: "service-account-upserted", account: a }]));
    case "token":
      return applyItem(state, "tokens", id, json, issuedTokenSchema, (t) => t.jti, record,
        (t, old) => (old ? [] : [{ type: "token-issued", token: t }]));
    case "revoked":
      return applyItem(state, "revokedTokens", id, json, revokedTokenSchema, (r) => r.jti, record,
        (r, old) => (old ? [] : [{ type: "token-revoked", revoked: r }]));
    case "secret":
      return applySecret(state, id, json, record);
    case "tenancy":
      return applyTenancy(state, id, json, record);
    default:
      return problem(record, `unknown kind "${kind}"`);
  }
}

function applyVcluster(state: StoreState, name: string, json: unknown, record: StateRecord): Applied {
  const existing = own(state.vclusters, name);
  if (json === null) {
    if (!existing) return { ok: true, state, events: [] };
    const { [name]: _removed, ...vclusters } = state.vclusters;
    return { ok: true, state: { ...state, vclusters }, events: [{ type: "vcluster-deleted", vcluster: existing }] };
  }
  const parsed = vclusterSchema.safeParse(json);
  if (!parsed.success) return problem(record, z.prettifyError(parsed.error));
  const v: VclusterRecord = parsed.data;
  if (v.name !== name) return problem(record, `holds vcluster "${v.name}"`);
  if (existing && JSON.stringify(existing) === JSON.stringify(v)) return { ok: true, state, events: [] };
  return {
    ok: true,
    state: { ...state, vclusters: { ...state.vclusters, [name]: v } },
    events: [{ type: "vcluster-upserted", vcluster: v, created: !existing }],
  };
}

type ItemOf<C extends Collection> = StoreState[C][string];

function applyItem<C extends "serviceAccounts" | "tokens" | "revokedTokens">(
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
  if (!parsed.success) return problem(record, z.prettifyError(parsed.error));
  const item = parsed.data;
  if (idOf(item) !== id) return problem(record, `holds an item with id "${idOf(item)}"`);
  if (existing && JSON.stringify(existing) === JSON.stringify(item)) return { ok: true, state, events: [] };
  return { ok: true, state: { ...state, [collection]: { ...items, [id]: item } }, events: eventsFor(item, existing) };
}

function applySecret(state: StoreState, id: string, json: unknown, record: StateRecord): Applied {
  const cut = id.indexOf("/");
  const name = (cut < 0 ? id : id.slice(0, cut)) as SecretName;
  if (!SECRET_NAMES.includes(name)) return problem(record, "unknown secret");
  // Losing candidates and their tombstones change nothing: the first value in the log stays.
  if (json === null || state.secrets[name] !== undefined) return { ok: true, state, events: [] };
  if (typeof json !== "string" || json === "") return problem(record, "secret is not a non-empty string");
  return { ok: true, state: { ...state, secrets: { ...state.secrets, [name]: json } }, events: [] };
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
