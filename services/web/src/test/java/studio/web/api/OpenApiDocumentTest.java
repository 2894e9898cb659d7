package studio.web.api;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;
import studio.web.support.WebNode;

/** The served document is the checked-in one, and every operation it documents is routed to an endpoint. */
@ExtendWith(VertxExtension.class)
@SuppressWarnings("unchecked")
class OpenApiDocumentTest {
  private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

  /** "POST /tasks/{id}/cancel" -> operationId, for every operation of docs/openapi.yaml. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> operations() throws Exception {
    Map<String, Object> document = new Yaml().load(Files.readString(Path.of("../../docs/openapi.yaml")));
    Map<String, String> operations = new TreeMap<>();
    ((Map<String, Map<String, Object>>) document.get("paths")).forEach((path, item) -> item.forEach((method, operation) -> {
      if (METHODS.contains(method)) {
        operations.put(method.toUpperCase() + " " + path, (String) ((Map<String, Object>) operation).get("operationId"));
      }
    }));
    return operations;
  }

  /**
   * Every integer a request may carry (path, query, header, body at any depth) has a {@code maximum}:
   * without one a number past 64 bits reaches an endpoint as a BigInteger whose {@code longValue()}
   * silently wraps. Ids and cursors stop at 2^53 - 1, the largest integer a page's JavaScript holds exactly.
   */
  @Test
  @DisplayName("every integer a request may carry has a maximum in docs/openapi.yaml")
  void everyRequestIntegerIsBounded() throws Exception {
    assertThat(RequestSchemas.walk().unbounded).as("request integers without a maximum").isEmpty();
  }

  /**
   * Every object a request body may carry is closed, by itself ({@code additionalProperties}) or by
   * the schema that composes it ({@code unevaluatedProperties: false} beside an {@code allOf} or
   * {@code $ref}): an open one would drop a mistyped field in silence.
   */
  @Test
  @DisplayName("every object a request body may carry is closed in docs/openapi.yaml, so an unknown field is refused")
  void everyRequestObjectIsClosed() throws Exception {
    assertThat(RequestSchemas.walk().open).as("request objects that let unknown fields through").isEmpty();
  }

  /** The schemas of every operation's parameters and request body, walked once. */
  private static final class RequestSchemas {
    /** Keywords that apply another schema to the same value, so a closing beside them covers it. */
    private static final Set<String> SAME_VALUE = Set.of("allOf", "anyOf", "oneOf", "if", "then", "else");
    private final Map<String, Object> document;
    final List<String> unbounded = new ArrayList<>();
    final List<String> open = new ArrayList<>();

    private RequestSchemas(Map<String, Object> document) {
      this.document = document;
    }

    static RequestSchemas walk() throws Exception {
      RequestSchemas schemas = new RequestSchemas(new Yaml().load(Files.readString(Path.of("../../docs/openapi.yaml"))));
      ((Map<String, Map<String, Object>>) schemas.document.get("paths")).forEach((path, item) -> item.forEach((method, value) -> {
        if (!METHODS.contains(method)) {
          return;
        }
        Map<String, Object> operation = (Map<String, Object>) value;
        for (Object parameter : (List<Object>) operation.getOrDefault("parameters", List.of())) {
          Map<String, Object> resolved = (Map<String, Object>) schemas.resolve(parameter);
          schemas.visit(resolved.get("schema"), method + " " + path + " " + resolved.get("name"), false);
        }
        Map<String, Object> body = (Map<String, Object>) operation.get("requestBody");
        if (body != null) {
          ((Map<String, Map<String, Object>>) body.get("content")).forEach((type, content) ->
              schemas.visit(content.get("schema"), method + " " + path + " body", false));
        }
      }));
      return schemas;
    }

    private Object resolve(Object node) {
      while (node instanceof Map<?, ?> map && map.get("$ref") instanceof String ref) {
        Object target = document;
        for (String part : ref.replaceFirst("^#/", "").split("/")) {
          target = ((Map<?, ?>) target).get(part);
        }
        node = target;
      }
      return node;
    }

    /** {@code closedAround}: a schema applied to the same value closes it with unevaluatedProperties. */
    private void visit(Object node, String where, boolean closedAround) {
      if (node instanceof List<?> list) {
        list.forEach(item -> visit(item, where, closedAround));
        return;
      }
      if (!(node instanceof Map<?, ?> schema)) {
        return;
      }
      boolean closed = closedAround || Boolean.FALSE.equals(schema.get("unevaluatedProperties"));
      if (schema.get("$ref") instanceof String ref) {
        visit(resolve(schema), where + " " + ref, closed);
      }
      Object type = schema.get("type");
      boolean integer = "integer".equals(type) || type instanceof List<?> types && types.contains("integer");
      if (integer && !schema.containsKey("maximum")) {
        unbounded.add(where);
      }
      if (schema.containsKey("properties") && !closed && !schema.containsKey("additionalProperties")) {
        open.add(where);
      }
      schema.forEach((key, child) -> {
        if (SAME_VALUE.contains(key)) {
          visit(child, where + "/" + key, closed);
        } else if ("properties".equals(key) && child instanceof Map<?, ?> properties) {
          properties.forEach((name, property) -> visit(property, where + "/" + name, false));
        } else if ("items".equals(key) || "additionalProperties".equals(key)) {
          visit(child, where + "[]", false);
        }
      });
    }
  }

  @Test
  @DisplayName("GET /api/v1/openapi.yaml serves docs/openapi.yaml byte for byte, without authentication")
  void servedDocumentIsTheCheckedInOne(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of("STUDIO_AUTH_MODE", "basic",
        "STUDIO_ADMIN_PASSWORD", "secret-password-0123456789abcdef"));
    HttpResponse<?> response = result(node.client().get("/api/v1/openapi.yaml").send());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/yaml");
    assertThat(response.bodyAsString()).isEqualTo(Files.readString(Path.of("../../docs/openapi.yaml")));
  }

  /**
   * Each operation is called as a client would (ids that do not exist, an empty JSON object as body):
   * whatever it answers is JSON from its endpoint or its validation, never "no endpoint" (the API's
   * 404 for an unrouted request), 405, 501, the empty 503 an unbound RouterBuilder operation gives,
   * or a 500. The document's own operation answers YAML and is checked above.
   */
  @Test
  @DisplayName("every operation in docs/openapi.yaml is routed: each answers from its endpoint, none is left unbound")
  void everyOperationIsRouted(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    Map<String, String> operations = operations();
    assertThat(operations).hasSizeGreaterThan(20).doesNotContainValue(null);
    operations.remove("GET /openapi.yaml");
    for (Map.Entry<String, String> operation : operations.entrySet()) {
      String[] methodAndPath = operation.getKey().split(" ");
      String path = "/api/v1" + methodAndPath[1].replace("{id}", "999999999");
      var request = node.client().request(HttpMethod.valueOf(methodAndPath[0]), path).putHeader("X-Requested-With", "test");
      HttpResponse<Buffer> response = result(methodAndPath[0].equals("GET") ? request.send()
          : request.sendJsonObject(new JsonObject()));
      String described = operation.getValue() + " (" + operation.getKey() + ") answered " + response.statusCode()
          + " " + response.bodyAsString();
      assertThat(response.statusCode()).as(described).isNotIn(405, 500, 501);
      assertThat(response.getHeader("Content-Type")).as(described).startsWith("application/json");
      JsonObject body = response.bodyAsJsonObject();
      if (response.statusCode() >= 400 && body.containsKey("error")) {
        assertThat(body.getJsonObject("error").getString("message")).as(described).doesNotStartWith("no endpoint");
      }
    }
  }
}
