// What the console shows of the backing cluster, read with kgate's own client: its brokers,
// and one tenant's topics and groups (those under its prefix, with the prefix taken off, as
// the tenant sees them). ListGroups goes to every broker, since each answers only for the
// groups it coordinates.
import type { BackingAddress } from "./backing-address.ts";
import type { ListGroupsResponse } from "../protocol/messages/list-groups-response.ts";
import type { MetadataResponse } from "../protocol/messages/metadata-response.ts";
import { type MetadataLookup, withTimeout } from "./lookup.ts";
import { KafkaError } from "./kafka-errors.ts";
import type { KafkaConnection } from "./kafka-connection.ts";

const METADATA = { key: 3, version: 12 } as const;
// v4: the oldest with the state of each group (KIP-518); every Kafka from 2.6 to 4.x has it.
const LIST_GROUPS = { key: 16, version: 4 } as const;

export interface BackingBroker {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly rack: string | null;
}

export interface BackingCluster {
  readonly clusterId: string | null;
  readonly controllerId: number;
  readonly brokers: readonly BackingBroker[];
  /** How long the Metadata round trip took. */
  readonly roundTripMs: number;
}

export interface TenantTopic {
  /** As the tenant sees it (prefix removed). */
  readonly name: string;
  readonly topicId: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly errorCode: number;
}

export interface TenantGroup {
  readonly groupId: string;
  readonly state: string;
  readonly protocolType: string;
  readonly coordinator: number;
}

export interface BackingInventory {
  cluster(): Promise<BackingCluster>;
  topics(prefix: string): Promise<TenantTopic[]>;
  groups(prefix: string): Promise<{ groups: TenantGroup[]; unreachable: number[] }>;
}

export interface BackingInventoryOptions {
  /** kgate's lookup connection (to a bootstrap broker). */
  readonly lookup: MetadataLookup;
  /** A fresh connection to one broker; closed after use. */
  openBroker(address: BackingAddress): Promise<KafkaConnection>;
  readonly timeoutMs: number;
  readonly clock?: () => number;
}

const allTopics = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

export function createBackingInventory(o: BackingInventoryOptions): BackingInventory {
  const clock = o.clock ?? Date.now;
  const metadata = async (topics: null | []) => {
    const started = clock();
    const res = (await withTimeout(o.lookup(METADATA.key, METADATA.version, { ...allTopics, topics }), o.timeoutMs)) as MetadataResponse;
    return { res, roundTripMs: clock() - started };
  };
  const cluster = async (): Promise<BackingCluster> => {
    const { res, roundTripMs } = await metadata([]);
    return {
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers: res.brokers.map(({ nodeId, host, port, rack }) => ({ nodeId, host, port, rack })).sort((a, b) => a.nodeId - b.nodeId),
      roundTripMs,
    };
  };
  return {
    cluster,
    async topics(prefix) {
      const { res } = await metadata(null);
      return res.topics
        .filter((t) => t.name !== null && t.name.startsWith(prefix) && t.name.length > prefix.length)
        .map((t) => ({
          name: t.name!.slice(prefix.length),
          topicId: t.topicId,
          partitions: t.partitions.length,
          replicationFactor: t.partitions[0]?.replicaNodes.length ?? 0,
          errorCode: t.errorCode,
        }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async groups(prefix) {
      const { brokers } = await cluster();
      const groups: TenantGroup[] = [];
      const unreachable: number[] = [];
      await Promise.all(brokers.map(async (b) => {
        const opening = o.openBroker({ host: b.host, port: b.port });
        let conn: KafkaConnection | undefined;
        try {
          conn = await withTimeout(opening, o.timeoutMs);
          const res = await withTimeout(
            conn.requestUntyped<ListGroupsResponse>(LIST_GROUPS.key, LIST_GROUPS.version, { statesFilter: [], typesFilter: [] }),
            o.timeoutMs,
          );
          if (res.errorCode !== 0) throw new KafkaError(res.errorCode, `ListGroups on broker ${b.nodeId}`);
          for (const g of res.groups) {
            if (g.groupId.startsWith(prefix) && g.groupId.length > prefix.length) {
              groups.push({ groupId: g.groupId.slice(prefix.length), state: g.groupState, protocolType: g.protocolType, coordinator: b.nodeId });
            }
          }
        } catch {
          unreachable.push(b.nodeId);
        } finally {
          // Also a connection that opened after its timeout.
          opening.then((c) => c.close(), () => {});
        }
      }));
      groups.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
      return { groups, unreachable: unreachable.sort((a, b) => a - b) };
    },
  };
}
