package studio.taskstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.contract.error.ContractException;

class FlowchartDefinitionTest {
  private static JsonObject graph(String[] nodes, String... edges) {
    JsonArray nodeArray = new JsonArray();
    for (String key : nodes) {
      nodeArray.add(new JsonObject().put("key", key).put("task", new JsonObject().put("executor", "noop")));
    }
    JsonArray edgeArray = new JsonArray();
    for (String edge : edges) {
      String[] ends = edge.split("->");
      edgeArray.add(new JsonObject().put("from", ends[0]).put("to", ends[1]));
    }
    return new JsonObject().put("nodes", nodeArray).put("edges", edgeArray);
  }

  private static ContractException refusal(JsonObject definition) {
    return (ContractException) Assertions.catchThrowable(() -> FlowchartDefinition.parse(definition));
  }

  @Test
  @DisplayName("a DAG parses; predecessors and successors follow the edges")
  void dag() {
    FlowchartDefinition parsed = FlowchartDefinition.parse(graph(new String[] {"a", "b", "c"}, "a->b", "a->c", "b->c"));
    assertThat(parsed.predecessors("c")).containsExactly("a", "b");
    assertThat(parsed.successors("a")).containsExactly("b", "c");
    assertThat(FlowchartDefinition.parse(parsed.toJson())).isEqualTo(parsed);
  }

  @Test
  @DisplayName("a cycle is refused naming the nodes on it")
  void cycle() {
    ContractException refused = refusal(graph(new String[] {"a", "b", "c", "d"}, "a->b", "b->c", "c->d", "d->b"));
    assertThat(refused.field()).isEqualTo("edges");
    assertThat(refused.getMessage()).contains("b -> c -> d -> b");
    assertThat(refusal(graph(new String[] {"a"}, "a->a")).getMessage()).contains("a -> a");
  }

  @Test
  @DisplayName("unknown node references, duplicate keys, bad node specs and empty graphs are refused with the field")
  void refusals() {
    assertThat(refusal(graph(new String[] {"a"}, "a->zz")).field()).isEqualTo("edges[0].to");
    assertThat(refusal(graph(new String[] {"a", "a"})).field()).isEqualTo("nodes[1].key");
    assertThat(refusal(graph(new String[] {})).field()).isEqualTo("nodes");
    JsonObject badTask = graph(new String[] {"a"});
    badTask.getJsonArray("nodes").getJsonObject(0).put("task", new JsonObject().put("executor", "warp"));
    assertThat(refusal(badTask).field()).isEqualTo("nodes[0].task.executor");
    assertThatThrownBy(() -> FlowchartDefinition.parse(new JsonObject())).isInstanceOf(ContractException.class);
  }
}
