package studio.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** docker-compose.yml, held to what the services need; no engine runs here to try it. */
class ComposeFileTest {
  private static final Map<String, String> STUDIO_SERVICES = Map.of(
      "web", "web", "socket-hub", "hub", "task-runner", "tasks", "download-jobs", "downloads");
  private static final List<String> MONITORING = List.of("prometheus", "grafana");
  private static final Set<String> RESTART_POLICIES = Set.of("always", "unless-stopped", "on-failure");
  private static final Pattern SECRET_NAME = Pattern.compile(".*(SECRET|PASSWORD|TOKEN|_KEY).*");
  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Z0-9_]+)(:?[?-][^}]*)?}");
  private static final Pattern URL_WITH_PASSWORD = Pattern.compile("[a-z]+://[^/@:]*:[^/@]+@.*");

  private final Tree compose = Repository.yaml("docker-compose.yml");
  private final Tree services = compose.get("services");

  @Test
  @DisplayName("the topology is postgres, redis, nginx and the four Studio services; Prometheus and Grafana "
      + "only with the monitoring profile")
  void topology() {
    assertThat(services.map().keySet().stream().filter(name -> !services.get(name + ".profiles").present()))
        .containsExactlyInAnyOrder("postgres", "redis", "nginx", "web", "socket-hub", "task-runner", "download-jobs");
    MONITORING.forEach(name ->
        assertThat(services.get(name + ".profiles").strings()).as(name + " profiles").containsExactly("monitoring"));
  }

  @Test
  @DisplayName("the monitoring profile mounts files that exist: Prometheus its config and the alert rules it "
      + "loads, Grafana the provisioning that loads the dashboards directory")
  void monitoringMountsShippedFiles() {
    MONITORING.forEach(name -> services.get(name + ".volumes").strings().stream()
        .filter(volume -> volume.startsWith("./"))
        .forEach(volume -> assertThat(Repository.path(volume.split(":")[0])).as(name + " mounts " + volume).exists()));
    Tree prometheus = Repository.yaml("deploy/monitoring/prometheus/prometheus.yml");
    assertThat(prometheus.get("rule_files").strings()).containsExactly("/etc/prometheus/alerts.yml");
    assertThat(services.get("prometheus.volumes").strings())
        .contains("./deploy/monitoring/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro");
    String dashboards = Repository.yaml("deploy/monitoring/grafana/provisioning/dashboards/studio.yml")
        .get("providers").items().get(0).get("options.path").string();
    assertThat(services.get("grafana.volumes").strings())
        .contains("./deploy/monitoring/grafana/dashboards:" + dashboards + ":ro");
    assertThat(Repository.files("deploy/monitoring/grafana/dashboards", ".json")).isNotEmpty();
  }

  @Test
  @DisplayName("Prometheus scrapes every Studio service by its compose name on the management port the services "
      + "are given; no Studio port is published for it, and Grafana listens on loopback only")
  void prometheusScrapesEveryService() {
    String management = environment(services.get("web")).get("STUDIO_MANAGEMENT_PORT");
    assertThat(management).as("STUDIO_MANAGEMENT_PORT for the Studio services").matches("\\d+");
    Map<String, Tree> jobs = new LinkedHashMap<>();
    Repository.yaml("deploy/monitoring/prometheus/prometheus.yml").get("scrape_configs").items()
        .forEach(job -> jobs.put(job.get("job_name").string(), job));
    assertThat(jobs.keySet()).containsExactlyInAnyOrderElementsOf(STUDIO_SERVICES.keySet());
    jobs.forEach((name, job) -> {
      Tree discovery = job.get("dns_sd_configs").items().get(0);
      assertThat(discovery.get("names").strings()).as(name).containsExactly(name);
      assertThat(String.valueOf(discovery.get("port").value())).as(name + " port").isEqualTo(management);
    });
    assertThat(services.get("grafana.ports").strings()).allMatch(port -> port.startsWith("127.0.0.1:"));
    assertThat(services.get("prometheus.ports").present()).isFalse();
  }

  @Test
  @DisplayName("every service has a health check and a restart policy")
  void healthAndRestart() {
    services.map().keySet().forEach(name -> {
      Tree service = services.get(name);
      assertThat(service.get("healthcheck.test").items()).as(name + " healthcheck.test").isNotEmpty();
      assertThat(service.get("restart").string()).as(name + " restart").isIn(RESTART_POLICIES);
    });
  }

  @Test
  @DisplayName("Studio services scale with --scale: no container name, no host port")
  void studioServicesScale() {
    STUDIO_SERVICES.keySet().forEach(name -> {
      assertThat(services.get(name + ".container_name").present()).as(name + " container_name").isFalse();
      assertThat(services.get(name + ".ports").present()).as(name + " ports").isFalse();
    });
  }

  @Test
  @DisplayName("each Studio service runs its launcher service from the one image, clustered")
  void studioServicesCluster() {
    STUDIO_SERVICES.forEach((name, launcherName) -> {
      Tree service = services.get(name);
      assertThat(service.get("command").strings()).as(name + " command").containsExactly(launcherName, "--cluster");
      assertThat(service.get("build.dockerfile").string()).as(name + " dockerfile").isEqualTo("deploy/docker/Dockerfile");
      assertThat(service.get("image").string()).as(name + " image").isEqualTo("studio-runtime:latest");
      assertThat(service.get("healthcheck.test").strings()).as(name + " healthcheck")
          .containsExactly("CMD", "/app/bin/healthcheck");
    });
  }

  @Test
  @DisplayName("Hazelcast TCP/IP discovery lists every Studio service by its compose name")
  void clusterMembersAreServiceNames() {
    STUDIO_SERVICES.keySet().forEach(name -> {
      String members = environment(services.get(name)).get("STUDIO_CLUSTER_MEMBERS");
      assertThat(members).as(name + " STUDIO_CLUSTER_MEMBERS").isNotNull();
      List<String> hosts = List.of(members.split(",")).stream().map(member -> member.split(":")[0].trim()).toList();
      assertThat(hosts).containsExactlyInAnyOrderElementsOf(STUDIO_SERVICES.keySet());
    });
  }

  @Test
  @DisplayName("the hub starts first and the others join its cluster; every dependency waits for health")
  void startOrder() {
    List.of("web", "task-runner", "download-jobs").forEach(name ->
        assertThat(services.get(name + ".depends_on").map()).as(name + " depends_on").containsKey("socket-hub"));
    services.map().keySet().forEach(name -> services.get(name + ".depends_on").map().keySet().forEach(dependency -> {
      assertThat(services.get(name + ".depends_on." + dependency + ".condition").string())
          .as(name + " waits for " + dependency).isEqualTo("service_healthy");
      assertThat(services.get(dependency + ".healthcheck").present()).as(dependency + " healthcheck").isTrue();
    }));
  }

  @Test
  @DisplayName("nginx is the entry point: ports 80 and 443, the proxy config, after web and the hub are healthy")
  void nginxFronts() {
    Tree nginx = services.get("nginx");
    assertThat(nginx.get("depends_on").map()).containsKeys("web", "socket-hub");
    assertThat(nginx.get("volumes").strings())
        .anyMatch(volume -> volume.startsWith("./deploy/proxy/nginx/studio.conf.template:/etc/nginx/templates/"));
    assertThat(nginx.get("ports").strings()).anyMatch(port -> port.endsWith(":80")).anyMatch(port -> port.endsWith(":443"));
  }

  @Test
  @DisplayName("no secret is written in the file: each comes from .env, and no URL carries a password")
  void noSecretsInlined() {
    services.map().keySet().forEach(name -> environment(services.get(name)).forEach((variable, value) -> {
      if (SECRET_NAME.matcher(variable).matches()) {
        assertThat(value).as(name + " " + variable).matches(REFERENCE);
      }
      assertThat(value).as(name + " " + variable).doesNotMatch(URL_WITH_PASSWORD);
    }));
    STUDIO_SERVICES.keySet().forEach(name ->
        assertThat(services.get(name + ".env_file").string()).as(name + " env_file").isEqualTo(".env"));
  }

  @Test
  @DisplayName("production as shipped is authenticated: basic with a required password, proxy trust, a named origin")
  void productionIsAuthenticated() {
    Map<String, String> envExample = EnvExampleTest.assignments(Repository.lines(".env.example"), false);
    STUDIO_SERVICES.keySet().forEach(name -> {
      Map<String, String> environment = environment(services.get(name));
      assertThat(environment.get("STUDIO_ENV")).as(name + " STUDIO_ENV").isEqualTo("production");
      ProductionAccess.assertAuthenticated(name, knob -> shipped(environment, envExample, knob));
      if ("basic".equals(shipped(environment, envExample, ProductionAccess.AUTH_MODE))) {
        assertThat(environment.get(ProductionAccess.ADMIN_PASSWORD)).as(name + " admin password, required from .env")
            .matches("\\$\\{" + ProductionAccess.ADMIN_PASSWORD + ":\\?[^}]+}");
      }
    });
  }

  @Test
  @DisplayName("only nginx is a trusted proxy: it has a fixed address outside the dynamic range, and that address "
      + "alone is STUDIO_PROXY_TRUSTED_NETWORKS")
  void onlyNginxIsTrusted() {
    Map<String, String> envExample = EnvExampleTest.assignments(Repository.lines(".env.example"), false);
    String nginx = services.get("nginx.networks.default.ipv4_address").string();
    assertThat(nginx).as("nginx's fixed address on the default network").isNotNull();
    Tree pool = compose.get("networks.default.ipam.config").items().get(0);
    assertThat(inBlock(nginx, pool.get("subnet").string())).as(nginx + " in the subnet").isTrue();
    assertThat(inBlock(nginx, pool.get("ip_range").string())).as(nginx + " outside the range Docker hands out")
        .isFalse();
    STUDIO_SERVICES.keySet().forEach(name -> assertThat(
        shipped(environment(services.get(name)), envExample, "STUDIO_PROXY_TRUSTED_NETWORKS"))
        .as(name + " STUDIO_PROXY_TRUSTED_NETWORKS").isEqualTo(nginx + "/32"));
  }

  /** Whether a dotted IPv4 address lies in a CIDR block (compose's own notation). */
  private static boolean inBlock(String address, String block) {
    String[] parts = block.split("/");
    int bits = Integer.parseInt(parts[1]);
    long mask = bits == 0 ? 0 : 0xffffffffL << (32 - bits) & 0xffffffffL;
    return (ipv4(address) & mask) == (ipv4(parts[0]) & mask);
  }

  private static long ipv4(String dotted) {
    long value = 0;
    for (String octet : dotted.split("\\.")) {
      value = value << 8 | Integer.parseInt(octet);
    }
    return value;
  }

  /**
   * What a container reads for a knob when .env is a copy of .env.example: the compose value, with a
   * reference resolved from .env (or its {@code :-} default); else .env itself, which every container gets.
   */
  private static String shipped(Map<String, String> environment, Map<String, String> envFile, String knob) {
    String value = environment.get(knob);
    if (value == null) {
      return blankToNull(envFile.get(knob));
    }
    Matcher reference = REFERENCE.matcher(value);
    if (!reference.matches()) {
      return value;
    }
    String fromEnvFile = blankToNull(envFile.get(reference.group(1)));
    String modifier = reference.group(2);
    boolean hasDefault = modifier != null && modifier.startsWith(":-");
    return fromEnvFile != null ? fromEnvFile : hasDefault ? modifier.substring(2) : null;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  @Test
  @DisplayName("PostgreSQL data, Redis data and the workspace live in named volumes")
  void volumes() {
    assertThat(compose.get("volumes").map()).containsKeys("postgres-data", "redis-data", "workspace");
    assertThat(services.get("postgres.volumes").strings()).contains("postgres-data:/var/lib/postgresql/data");
    assertThat(services.get("redis.volumes").strings()).contains("redis-data:/data");
    List.of("task-runner", "download-jobs").forEach(name ->
        assertThat(services.get(name + ".volumes").strings()).as(name).contains("workspace:/app/data/workspace"));
  }

  @Test
  @DisplayName("a stop leaves the Studio services time to drain (above STUDIO_GRACEFUL_TIMEOUT's 30s)")
  void drainOnStop() {
    STUDIO_SERVICES.keySet().forEach(name -> assertThat(services.get(name + ".stop_grace_period").string())
        .as(name + " stop_grace_period").matches("([4-9]\\d|\\d{3,})s"));
  }

  /** A service's environment, written as a mapping or as a list of NAME=value. */
  private static Map<String, String> environment(Tree service) {
    Tree environment = service.get("environment");
    Map<String, String> variables = new LinkedHashMap<>(environment.stringMap());
    environment.strings().forEach(entry -> {
      int equals = entry.indexOf('=');
      variables.put(equals < 0 ? entry : entry.substring(0, equals), equals < 0 ? "" : entry.substring(equals + 1));
    });
    return variables;
  }
}
