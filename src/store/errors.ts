/** A refused mutation. `code` maps onto HTTP: invalid → 400, not-found → 404, conflict → 409. */
export class StoreError extends Error {
  constructor(
    readonly code: "invalid" | "not-found" | "conflict",
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}
