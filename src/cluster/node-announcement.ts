// What a kgate node says about itself in the cluster topic: where clients reach it. Records come
// from a shared topic, so they are validated like any other input (a bad one is skipped, logged).
import { z } from "zod";

const port = z.number().int().min(1).max(65_535);

export const nodeAnnouncementSchema = z.strictObject({
  /** Format version of this record. */
  v: z.literal(1),
  /** Where clients reach this node's Kafka listener. */
  advertisedHost: z.string().min(1).max(255),
  bootstrapPort: port,
  brokerPortBase: port,
  brokerPorts: z.record(z.string().regex(/^\d{1,10}$/), port),
  /** kgate version and runtime, for `GET /v1/cluster`. */
  version: z.string().max(100),
  runtime: z.string().max(20),
  /** Milliseconds since the epoch at the sender (informational: liveness uses the receiver's clock). */
  sentAt: z.number().int().nonnegative(),
});

export type NodeAnnouncement = z.infer<typeof nodeAnnouncementSchema>;

/** The kgate port that stands for `brokerId` on the node that made `a`. */
export function brokerPortOf(a: Pick<NodeAnnouncement, "brokerPortBase" | "brokerPorts">, brokerId: number): number {
  return a.brokerPorts[String(brokerId)] ?? a.brokerPortBase + brokerId;
}
