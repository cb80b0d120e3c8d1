// Which backing topic a topic id stands for. Learned from every response that pairs a name with
// an id, and looked up with a Metadata request for ids kgate has not seen; shared by all
// sessions, so a tenant's ownership of an id is a question of the name's prefix.
import type { MetadataResponse } from "../protocol/messages/metadata-response.ts";

export const ZERO_TOPIC_ID = "0".repeat(32);
const METADATA = 3;

export type MetadataLookup = (apiKey: number, version: number, body: unknown) => Promise<unknown>;

export class TopicIdDirectory {
  private readonly names = new Map<string, string>();

  constructor(private readonly lookup: MetadataLookup) {}

  learn(topicId: string, backingName: string): void {
    if (topicId !== ZERO_TOPIC_ID && backingName) this.names.set(topicId, backingName);
  }

  forget(topicId: string): void {
    this.names.delete(topicId);
  }

  known(topicId: string): string | undefined {
    return this.names.get(topicId);
  }

  /** Backing names for `ids`, asking the cluster about unknown ones; unknown stays undefined. */
  async resolve(ids: Iterable<string>): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    const missing: string[] = [];
    for (const id of ids) {
      if (id === ZERO_TOPIC_ID) continue;
      const n = this.names.get(id);
      out.set(id, n);
      if (n === undefined) missing.push(id);
    }
    if (missing.length > 0) {
      const res = (await this.lookup(METADATA, 12, {
        topics: missing.map((topicId) => ({ topicId, name: null })),
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      })) as MetadataResponse;
      for (const t of res.topics) {
        if (t.errorCode === 0 && t.name) {
          this.learn(t.topicId, t.name);
          out.set(t.topicId, t.name);
        }
      }
    }
    return out;
  }
}
