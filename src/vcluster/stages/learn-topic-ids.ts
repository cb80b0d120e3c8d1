// A response that pairs a topic id with its name teaches the directory that id (before anything
// is dropped or stripped: it holds backing names).
import { forEachStruct } from "../../protocol/name-fields.ts";
import type { ResponseExchange } from "./exchange.ts";

export function learnTopicIds(x: ResponseExchange): void {
  for (const pair of x.plan.response.idNamePairs) {
    forEachStruct(x.body, pair.structPath, (s) => {
      const name = s[pair.nameProp];
      if (typeof name === "string") x.deps.topicIds.learn(s[pair.idProp] as string, name);
    });
  }
}
