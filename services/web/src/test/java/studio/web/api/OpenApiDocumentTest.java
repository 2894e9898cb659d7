package studio.web.api;

import static org.assertj.core.api.Assertions.assertThat;
import static studio.web.support.Await.result;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;
import studio.web.support.WebNode;

/** The served document is the checked-in one, and it documents exactly the endpoints web serves. */
@ExtendWith(VertxExtension.class)
class OpenApiDocumentTest {
  private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");
  /** Mounted on the root router beside /api/v1 rather than inside it. */
  private static final Set<String> OUTSIDE_API_ROUTER = Set.of("GET /openapi.yaml", "GET /infrastructure/health",
      "GET /infrastructure/health/redis", "GET /infrastructure/health/workers", "GET /infrastructure/health/full");

  @SuppressWarnings("unchecked")
  private static Set<String> documented(String yaml) {
    Map<String, Object> document = new Yaml().load(yaml);
    Set<String> operations = new TreeSet<>();
    ((Map<String, Map<String, Object>>) document.get("paths")).forEach((path, item) -> item.keySet().stream()
        .filter(METHODS::contains)
        .forEach(method -> operations.add(method.toUpperCase() + " " + path)));
    return operations;
  }

  private static Set<String> served(WebNode node) {
    Set<String> operations = new TreeSet<>(OUTSIDE_API_ROUTER);
    for (Route route : node.web.apiRoutes()) {
      if (route.getPath() == null || route.methods() == null || route.methods().isEmpty()) {
        continue;
      }
      for (HttpMethod method : route.methods()) {
        if (METHODS.contains(method.name().toLowerCase())) {
          operations.add(method.name() + " " + route.getPath().replaceAll(":([A-Za-z_]+)", "{$1}"));
        }
      }
    }
    return operations;
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

  @Test
  @DisplayName("every /api/v1 endpoint is documented and every documented operation is served")
  void documentMatchesRoutes(Vertx vertx) throws Exception {
    WebNode node = WebNode.deploy(vertx, Map.of());
    Set<String> documented = documented(Files.readString(Path.of("../../docs/openapi.yaml")));
    assertThat(served(node)).isEqualTo(documented);
  }
}
