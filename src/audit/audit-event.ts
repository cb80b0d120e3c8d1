// One audit event: who did what to which resource, and how it ended. JSON-able, one line per event.

export interface AuditEvent {
  /** ISO 8601, set by the trail. */
  readonly time: string;
  /** "admin" for the admin API; the user name for a Kafka client; "-" before a login names one. */
  readonly actor: string;
  readonly vcluster?: string;
  /** e.g. "login", "topic.create", "topic.delete", "topic.config", "topic.partitions", "admin PUT /v1/vclusters/{name}". */
  readonly action: string;
  /** The thing acted on, in the actor's own names (a tenant's topic name, an admin path). */
  readonly resource?: string;
  readonly outcome: "success" | "failure";
  /** Why it failed (a Kafka error name, an HTTP status), or how a login was made (mechanism). */
  readonly detail?: string;
  /** Client address of a Kafka connection or an admin request. */
  readonly source?: string;
  /** Ties the event to a request: the admin API's X-Request-Id, or `<connection id>/<correlation id>`. */
  readonly requestId?: string;
}

export type AuditInput = Omit<AuditEvent, "time">;

/** Where events go. `record` never throws and never waits: a failing sink must not stop kgate. */
export interface AuditSink {
  write(events: readonly AuditEvent[]): Promise<void>;
  close?(): Promise<void>;
}
