// Where a backing broker listens, as Metadata names it.
export interface BackingAddress {
  host: string;
  port: number;
}
