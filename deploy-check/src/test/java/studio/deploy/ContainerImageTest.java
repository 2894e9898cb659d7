package studio.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** deploy/docker: the one image every service runs from. */
class ContainerImageTest {
  private final List<String> dockerfile = Repository.lines("deploy/docker/Dockerfile").stream()
      .map(String::trim).filter(line -> !line.startsWith("#") && !line.isEmpty()).toList();

  @Test
  @DisplayName("a Maven build stage builds the launcher jar; a JRE 17 stage runs it")
  void multiStage() {
    List<String> stages = instructions("FROM ");
    assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
    assertThat(stages.get(0)).contains("maven").contains("temurin-17").endsWith("AS build");
    assertThat(stages.get(stages.size() - 1)).contains("17-jre");
    assertThat(instructions("COPY ")).anyMatch(copy -> copy.contains("--from=build")
        && copy.contains("launcher/target/studio.jar"));
  }

  @Test
  @DisplayName("the runtime runs as a numeric non-root user, which Kubernetes can verify")
  void nonRoot() {
    List<String> users = instructions("USER ");
    assertThat(users).isNotEmpty();
    String uid = users.get(users.size() - 1).substring("USER ".length()).split(":")[0];
    assertThat(uid).matches("\\d+");
    assertThat(Integer.parseInt(uid)).isPositive();
  }

  @Test
  @DisplayName("the JVM sizes its heap from the container's memory limit and exits on OutOfMemoryError")
  void containerAwareJvm() {
    assertThat(String.join("\n", dockerfile)).contains("-XX:MaxRAMPercentage=").contains("-XX:+ExitOnOutOfMemoryError");
    assertThat(Repository.read("deploy/docker/entrypoint.sh")).contains("${JAVA_OPTS:-}")
        .contains("-jar /app/studio.jar \"$@\"");
  }

  @Test
  @DisplayName("one image for every service: the command picks it, all of them by default")
  void commandPicksTheService() {
    assertThat(instructions("ENTRYPOINT ")).containsExactly("ENTRYPOINT [\"/app/bin/entrypoint\"]");
    assertThat(instructions("CMD ")).containsExactly("CMD [\"all\"]");
  }

  @Test
  @DisplayName("the image health check asks /health/ready of the service ports the knobs name")
  void healthCheck() {
    assertThat(instructions("HEALTHCHECK ")).singleElement().asString().endsWith("CMD [\"/app/bin/healthcheck\"]");
    assertThat(Repository.read("deploy/docker/healthcheck.sh")).contains("GET /health/ready")
        .contains("${STUDIO_HTTP_PORT:-8080}").contains("${STUDIO_HUB_PORT:-8081}")
        .contains("${STUDIO_TASKS_PORT:-8082}").contains("${STUDIO_DOWNLOADS_PORT:-8083}");
  }

  @Test
  @DisplayName("every service port and the Hazelcast port are exposed")
  void exposedPorts() {
    assertThat(instructions("EXPOSE ")).singleElement().asString()
        .contains("8080").contains("8081").contains("8082").contains("8083").contains("5701");
  }

  @Test
  @DisplayName("the build context leaves out secrets, build output, data and git history")
  void dockerignore() {
    assertThat(Repository.lines(".dockerignore")).contains(".env", "**/target/", ".studio/", ".git/",
        "deploy/k8s/secrets.env");
  }

  private List<String> instructions(String keyword) {
    return dockerfile.stream().filter(line -> line.startsWith(keyword)).toList();
  }
}
