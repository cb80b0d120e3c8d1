// Topic ids as the codecs carry them: 32 lowercase hex digits.

/** A fresh random topic id: one the broker does not know, so it answers UNKNOWN_TOPIC_ID for it. */
export function randomTopicId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
