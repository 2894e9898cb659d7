package studio.taskstore;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import studio.contract.error.ContractException;
import studio.contract.error.ErrorCode;
import studio.contract.json.JsonFields;

/**
 * A flowchart's DAG: {@code {"nodes": [{"key": "a", "task": <spec>}], "edges": [{"from": "a", "to": "b"}]}}.
 * Parsing refuses duplicate keys, edges naming unknown nodes and cycles, each naming the field, so
 * a saved flowchart can always run.
 */
public record FlowchartDefinition(Map<String, TaskSpec> nodes, List<Edge> edges) {
  public static final int MAX_NODES = 200;
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  public record Edge(String from, String to) {
  }

  public FlowchartDefinition {
    nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
    edges = List.copyOf(edges);
  }

  public static FlowchartDefinition parse(JsonObject json) {
    JsonFields fields = new JsonFields(json, ErrorCode.INVALID_REQUEST);
    JsonArray nodeArray = fields.array("nodes", true);
    if (nodeArray.isEmpty() || nodeArray.size() > MAX_NODES) {
      throw fields.fail("nodes", "must hold 1-" + MAX_NODES + " nodes, got " + nodeArray.size());
    }
    Map<String, TaskSpec> nodes = new LinkedHashMap<>();
    for (int i = 0; i < nodeArray.size(); i++) {
      String path = "nodes[" + i + "]";
      if (!(nodeArray.getValue(i) instanceof JsonObject node)) {
        throw fields.fail(path, "must be an object {\"key\", \"task\"}");
      }
      JsonFields nodeFields = new JsonFields(node, ErrorCode.INVALID_REQUEST, path);
      String key = nodeFields.requiredString("key", 64);
      if (!KEY.matcher(key).matches()) {
        throw nodeFields.fail("key", "must be letters, digits, '_' or '-'");
      }
      if (nodes.containsKey(key)) {
        throw nodeFields.fail("key", "duplicate node key \"" + key + "\"");
      }
      nodes.put(key, TaskSpec.parse(nodeFields.object("task", true), path + ".task"));
    }
    List<Edge> edges = parseEdges(fields, nodes);
    FlowchartDefinition definition = new FlowchartDefinition(nodes, edges);
    definition.refuseCycles();
    return definition;
  }

  private static List<Edge> parseEdges(JsonFields fields, Map<String, TaskSpec> nodes) {
    JsonArray edgeArray = fields.array("edges", false);
    List<Edge> edges = new ArrayList<>();
    for (int i = 0; i < edgeArray.size(); i++) {
      String path = "edges[" + i + "]";
      if (!(edgeArray.getValue(i) instanceof JsonObject edge)) {
        throw fields.fail(path, "must be an object {\"from\", \"to\"}");
      }
      JsonFields edgeFields = new JsonFields(edge, ErrorCode.INVALID_REQUEST, path);
      String from = edgeFields.requiredString("from", 64);
      String to = edgeFields.requiredString("to", 64);
      if (!nodes.containsKey(from)) {
        throw edgeFields.fail("from", "unknown node \"" + from + "\"");
      }
      if (!nodes.containsKey(to)) {
        throw edgeFields.fail("to", "unknown node \"" + to + "\"");
      }
      Edge parsed = new Edge(from, to);
      if (!edges.contains(parsed)) {
        edges.add(parsed);
      }
    }
    return edges;
  }

  /** Depth-first search; the refusal names one cycle so the author sees what to cut. */
  private void refuseCycles() {
    Map<String, Integer> state = new HashMap<>();
    for (String start : nodes.keySet()) {
      Deque<String> path = new ArrayDeque<>();
      List<String> cycle = findCycle(start, state, path);
      if (cycle != null) {
        throw new ContractException(ErrorCode.INVALID_REQUEST, "edges",
            "the graph has a cycle: " + String.join(" -> ", cycle));
      }
    }
  }

  private List<String> findCycle(String node, Map<String, Integer> state, Deque<String> path) {
    int seen = state.getOrDefault(node, 0);
    if (seen == 2) {
      return null;
    }
    if (seen == 1) {
      List<String> cycle = new ArrayList<>();
      List<String> ordered = new ArrayList<>(path);
      Collections.reverse(ordered);
      cycle.addAll(ordered.subList(ordered.indexOf(node), ordered.size()));
      cycle.add(node);
      return cycle;
    }
    state.put(node, 1);
    path.push(node);
    for (String next : successors(node)) {
      List<String> cycle = findCycle(next, state, path);
      if (cycle != null) {
        return cycle;
      }
    }
    path.pop();
    state.put(node, 2);
    return null;
  }

  public List<String> successors(String key) {
    return edges.stream().filter(edge -> edge.from().equals(key)).map(Edge::to).toList();
  }

  public List<String> predecessors(String key) {
    return edges.stream().filter(edge -> edge.to().equals(key)).map(Edge::from).toList();
  }

  public JsonObject toJson() {
    JsonArray nodeArray = new JsonArray();
    nodes.forEach((key, spec) -> nodeArray.add(new JsonObject().put("key", key).put("task", spec.toJson())));
    JsonArray edgeArray = new JsonArray();
    edges.forEach(edge -> edgeArray.add(new JsonObject().put("from", edge.from()).put("to", edge.to())));
    return new JsonObject().put("nodes", nodeArray).put("edges", edgeArray);
  }
}
