// Dumps the protocol enums of kafka-clients (error codes and the enum-like constants) as JSON:
// the jar holds them only as class files, so kgate vendors this output (vendor/kafka-<v>/).
//
//   java -cp .kafka/libs/kafka-clients-<v>.jar:.kafka/libs/slf4j-api-*.jar scripts/vendor/DumpKafkaEnums.java
//
// Run by `bun scripts/vendor-kafka-specs.ts --from-jar`; never at test time.
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

public class DumpKafkaEnums {
  static String q(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  interface Code<E> { int code(E e); }

  static <E extends Enum<E>> String constants(E[] values, Code<E> code) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < values.length; i++) {
      if (i > 0) b.append(",");
      b.append("\n      { \"name\": ").append(q(values[i].name())).append(", \"code\": ").append(code.code(values[i])).append(" }");
    }
    return b.append("\n    ]").toString();
  }

  public static void main(String[] args) {
    StringBuilder out = new StringBuilder("{\n  \"errors\": [");
    Errors[] errors = Errors.values();
    for (int i = 0; i < errors.length; i++) {
      Errors e = errors[i];
      Throwable ex = e.exception();
      out.append(i > 0 ? "," : "").append("\n    { \"name\": ").append(q(e.name()))
        .append(", \"code\": ").append(e.code())
        .append(", \"retriable\": ").append(ex instanceof RetriableException)
        .append(", \"message\": ").append(q(e.message())).append(" }");
    }
    out.append("\n  ],\n  \"constants\": {");
    out.append("\n    \"ResourceType\": ").append(constants(ResourceType.values(), r -> r.code()));
    out.append(",\n    \"AclOperation\": ").append(constants(AclOperation.values(), o -> o.code()));
    out.append(",\n    \"AclPermissionType\": ").append(constants(AclPermissionType.values(), p -> p.code()));
    out.append(",\n    \"PatternType\": ").append(constants(PatternType.values(), p -> p.code()));
    out.append(",\n    \"ConfigResourceType\": ").append(constants(ConfigResource.Type.values(), t -> t.id()));
    out.append(",\n    \"ConfigSource\": ").append(constants(DescribeConfigsResponse.ConfigSource.values(), s -> s.id()));
    out.append(",\n    \"CoordinatorType\": ").append(constants(FindCoordinatorRequest.CoordinatorType.values(), t -> t.id()));
    out.append("\n  }\n}\n");
    System.out.print(out);
  }
}
