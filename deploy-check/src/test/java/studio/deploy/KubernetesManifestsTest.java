package studio.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** deploy/k8s, held to what the services need; no cluster runs here to apply it. */
class KubernetesManifestsTest {
  private static final String DIRECTORY = "deploy/k8s";
  private static final String KUSTOMIZATION = "kustomization.yaml";
  /** Deployment name, the launcher's name for the service, and the service's default port. */
  private static final Map<String, Map.Entry<String, Integer>> SERVICES = Map.of(
      "web", Map.entry("web", 8080), "socket-hub", Map.entry("hub", 8081),
      "task-runner", Map.entry("tasks", 8082), "download-jobs", Map.entry("downloads", 8083));
  private static final Set<String> READINESS_PATHS = Set.of("/health/ready", "/api/v1/infrastructure/health");
  private static final String SECRET_NAME = "studio-secrets";

  private final List<Tree> resources = Repository.files(DIRECTORY, ".yaml").stream()
      .filter(file -> !file.getFileName().toString().equals(KUSTOMIZATION))
      .flatMap(file -> Repository.yamlDocuments(file).stream())
      .toList();

  @Test
  @DisplayName("every manifest parses and names its apiVersion, kind and metadata.name")
  void manifestsParse() {
    assertThat(resources).isNotEmpty();
    resources.forEach(resource -> {
      assertThat(resource.get("apiVersion").present()).as(describe(resource)).isTrue();
      assertThat(resource.get("kind").present()).as(describe(resource)).isTrue();
      assertThat(resource.get("metadata.name").present()).as(describe(resource)).isTrue();
    });
  }

  @Test
  @DisplayName("each kustomization (deploy/k8s, and deploy/k8s/monitoring for the Prometheus Operator) lists every "
      + "manifest file of its directory, and each one it lists exists")
  void kustomizationListsEveryManifest() {
    List<Path> kustomizations = Repository.files(DIRECTORY, KUSTOMIZATION);
    assertThat(kustomizations).extracting(file -> Repository.ROOT.relativize(file).toString())
        .containsExactlyInAnyOrder(DIRECTORY + "/" + KUSTOMIZATION, DIRECTORY + "/monitoring/" + KUSTOMIZATION);
    kustomizations.forEach(kustomization -> {
      Path directory = kustomization.getParent();
      Set<String> files = Repository.files(DIRECTORY, ".yaml").stream()
          .filter(file -> file.getParent().equals(directory))
          .map(Path::getFileName).map(Path::toString)
          .filter(name -> !name.equals(KUSTOMIZATION)).collect(Collectors.toSet());
      assertThat(Repository.yamlDocuments(kustomization).get(0).get("resources").strings())
          .as(Repository.ROOT.relativize(kustomization).toString())
          .containsExactlyInAnyOrderElementsOf(files);
    });
  }

  @Test
  @DisplayName("the PodMonitor scrapes /metrics on the port named management of every Studio pod")
  void podMonitorScrapesTheManagementPort() {
    Tree monitor = kind("PodMonitor").get(0);
    Map<String, String> selector = monitor.get("spec.selector.matchLabels").stringMap();
    Tree endpoint = monitor.get("spec.podMetricsEndpoints").items().get(0);
    assertThat(endpoint.get("port").string()).isEqualTo("management");
    assertThat(endpoint.get("path").string()).isEqualTo("/metrics");
    kind("Deployment").forEach(deployment -> {
      assertThat(deployment.get("spec.template.metadata.labels").stringMap()).as(name(deployment))
          .containsAllEntriesOf(selector);
      assertThat(port(containers(deployment).get(0), "management")).as(name(deployment)).isNotNull();
    });
  }

  @Test
  @DisplayName("there is one Deployment per service, running its launcher service clustered on its port")
  void deploymentPerService() {
    assertThat(kind("Deployment").stream().map(this::name)).containsExactlyInAnyOrderElementsOf(SERVICES.keySet());
    SERVICES.forEach((name, launcher) -> {
      Tree container = containers(deployment(name)).get(0);
      assertThat(container.get("args").strings()).as(name + " args").containsExactly(launcher.getKey(), "--cluster");
      assertThat(port(container, "http")).as(name + " http port").isEqualTo(launcher.getValue());
      assertThat(port(container, "hazelcast")).as(name + " hazelcast port").isEqualTo(5701);
    });
  }

  @Test
  @DisplayName("every container is ready on a health endpoint and live on /health, which ignores dependencies")
  void probesOnHealthEndpoints() {
    kind("Deployment").forEach(deployment -> containers(deployment).forEach(container -> {
      String what = name(deployment) + "/" + container.get("name").string();
      assertThat(container.get("readinessProbe.httpGet.path").string()).as(what + " readiness").isIn(READINESS_PATHS);
      assertThat(container.get("livenessProbe.httpGet.path").string()).as(what + " liveness").isEqualTo("/health");
      assertThat(container.get("startupProbe.httpGet.path").string()).as(what + " startup").isEqualTo("/health");
      for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
        assertThat(port(container, container.get(probe + ".httpGet.port").string())).as(what + " " + probe + " port")
            .isNotNull();
      }
    }));
  }

  @Test
  @DisplayName("with proxy trust on, STUDIO_PROXY_TRUSTED_NETWORKS names where the Ingress controller connects from: "
      + "set (the loopback default would ignore it), CIDR blocks, never everything")
  void proxyTrustNamesTheIngressNetwork() {
    Map<String, String> data = configMap().get("data").stringMap();
    assertThat(data.get("STUDIO_PROXY_FIX_ENABLED")).isEqualTo("true");
    String networks = data.get("STUDIO_PROXY_TRUSTED_NETWORKS");
    assertThat(networks).as("STUDIO_PROXY_TRUSTED_NETWORKS in the ConfigMap").isNotBlank();
    for (String block : networks.split(",")) {
      assertThat(block.trim()).matches("[0-9a-fA-F:.]+/\\d{1,3}").isNotIn("0.0.0.0/0", "::/0");
    }
  }

  @Test
  @DisplayName("Prometheus scrapes each pod's management port (STUDIO_MANAGEMENT_PORT), which no Service or Ingress routes")
  void metricsOnTheManagementPort() {
    String knob = configMap().get("data").stringMap().get("STUDIO_MANAGEMENT_PORT");
    assertThat(knob).as("STUDIO_MANAGEMENT_PORT in the ConfigMap").isNotNull();
    int management = Integer.parseInt(knob);
    kind("Deployment").forEach(deployment -> {
      Map<String, String> annotations = deployment.get("spec.template.metadata.annotations").stringMap();
      Tree container = containers(deployment).get(0);
      assertThat(annotations).as(name(deployment)).containsEntry("prometheus.io/scrape", "true")
          .containsEntry("prometheus.io/path", "/metrics")
          .containsEntry("prometheus.io/port", String.valueOf(management));
      assertThat(port(container, "management")).as(name(deployment) + " management port").isEqualTo(management);
    });
    kind("Service").forEach(service -> service.get("spec.ports").items().forEach(port -> {
      assertThat(port.get("targetPort").string()).as(name(service)).isNotIn("management", knob);
      assertThat(port.get("port").string()).as(name(service)).isNotEqualTo(knob);
    }));
  }

  @Test
  @DisplayName("every container requests CPU and memory and has a memory limit for the JVM to size its heap by")
  void resources() {
    kind("Deployment").forEach(deployment -> containers(deployment).forEach(container -> {
      String what = name(deployment) + "/" + container.get("name").string();
      assertThat(container.get("resources.requests").map()).as(what + " requests").containsKeys("cpu", "memory");
      assertThat(container.get("resources.limits").map()).as(what + " limits").containsKey("memory");
    }));
  }

  @Test
  @DisplayName("every pod runs as a non-root user without privilege escalation")
  void nonRoot() {
    kind("Deployment").forEach(deployment -> {
      Tree pod = deployment.get("spec.template.spec");
      assertThat(pod.get("securityContext.runAsNonRoot").value()).as(name(deployment)).isEqualTo(true);
      assertThat(((Number) pod.get("securityContext.runAsUser").value()).intValue()).as(name(deployment)).isPositive();
      containers(deployment).forEach(container -> {
        assertThat(container.get("securityContext.allowPrivilegeEscalation").value()).as(name(deployment))
            .isEqualTo(false);
        assertThat(container.get("securityContext.capabilities.drop").strings()).as(name(deployment)).contains("ALL");
      });
    });
  }

  @Test
  @DisplayName("every pod reads the shared config and the secrets, and advertises its pod IP to the cluster")
  void configSecretsAndClusterAddress() {
    kind("Deployment").forEach(deployment -> containers(deployment).forEach(container -> {
      assertThat(container.get("envFrom").items().stream().map(source -> source.get("configMapRef.name").string()))
          .as(name(deployment)).contains("studio-config");
      assertThat(container.get("envFrom").items().stream().map(source -> source.get("secretRef.name").string()))
          .as(name(deployment)).contains(SECRET_NAME);
      assertThat(container.get("env").items()).as(name(deployment)).anySatisfy(variable -> {
        assertThat(variable.get("name").string()).isEqualTo("STUDIO_CLUSTER_HOST");
        assertThat(variable.get("valueFrom.fieldRef.fieldPath").string()).isEqualTo("status.podIP");
      });
    }));
  }

  @Test
  @DisplayName("cluster discovery looks up one headless Service that selects every Deployment and publishes pods before they are ready")
  void clusterMembersAreHeadless() {
    assertThat(configMap().get("data.STUDIO_CLUSTER_DISCOVERY").string()).isEqualTo("kubernetes");
    String dns = configMap().get("data.STUDIO_CLUSTER_SERVICE_DNS").string();
    String[] parts = dns.split("\\.");
    assertThat(parts).as("<service>.<namespace>.svc.<domain>").hasSizeGreaterThanOrEqualTo(4);
    assertThat(parts[2]).isEqualTo("svc");
    assertThat(Repository.read("deploy/k8s/kustomization.yaml")).contains("namespace: " + parts[1]);
    Tree service = byKindAndName("Service", parts[0]);
    assertThat(service.get("spec.clusterIP").string()).isEqualTo("None");
    assertThat(service.get("spec.publishNotReadyAddresses").value()).isEqualTo(true);
    assertThat(service.get("spec.ports").items()).anySatisfy(port -> assertThat(port.get("port").value()).isEqualTo(5701));
    assertThat(kind("Deployment").stream().filter(deployment -> selects(service.get("spec.selector"), deployment))
        .map(deployment -> name(deployment))).containsExactlyInAnyOrderElementsOf(SERVICES.keySet());
  }

  @Test
  @DisplayName("a NetworkPolicy opens the cluster ports (Hazelcast, event bus) to Studio pods only, and every other container port as before")
  void clusterPortsOnlyFromStudioPods() {
    String eventBusPort = configMap().get("data.STUDIO_EVENTBUS_PORT").string();
    assertThat(eventBusPort).as("a fixed STUDIO_EVENTBUS_PORT, so a policy can name it").isNotNull().isNotEqualTo("0");
    SERVICES.keySet().forEach(name -> assertThat(port(containers(deployment(name)).get(0), "eventbus"))
        .as(name + " eventbus port").isEqualTo(Integer.parseInt(eventBusPort)));

    List<Tree> policies = kind("NetworkPolicy").stream()
        .filter(policy -> policy.get("spec.policyTypes").strings().contains("Ingress")).toList();
    kind("Deployment").forEach(deployment -> {
      List<Tree> governing = policies.stream().filter(policy -> selects(policy.get("spec.podSelector"), deployment)).toList();
      assertThat(governing).as(name(deployment) + ": an ingress NetworkPolicy selects its pods").isNotEmpty();
      Tree container = containers(deployment).get(0);
      List<Tree> rules = governing.stream().flatMap(policy -> policy.get("spec.ingress").items().stream()).toList();
      container.get("ports").items().forEach(containerPort -> {
        String portName = containerPort.get("name").string();
        List<Tree> opening = rules.stream().filter(rule -> opens(rule, containerPort)).toList();
        assertThat(opening).as(name(deployment) + " port " + portName + " is reachable").isNotEmpty();
        if (portName.equals("hazelcast") || portName.equals("eventbus")) {
          opening.forEach(rule -> assertThat(rule.get("from").items()).as(name(deployment) + " " + portName + " peers")
              .isNotEmpty()
              .allSatisfy(peer -> {
                assertThat(peer.get("namespaceSelector").present()).as("no other namespace").isFalse();
                assertThat(peer.get("ipBlock").present()).as("no address block").isFalse();
                assertThat(kind("Deployment").stream().filter(other -> selects(peer.get("podSelector"), other))
                    .map(this::name)).as("only Studio pods").containsExactlyInAnyOrderElementsOf(SERVICES.keySet());
              }));
        }
      });
    });
  }

  @Test
  @DisplayName("every Service selects a Deployment's pods and targets one of their named ports")
  void servicesSelectPods() {
    kind("Service").forEach(service -> {
      List<Tree> selected = kind("Deployment").stream()
          .filter(deployment -> selects(service.get("spec.selector"), deployment)).toList();
      // The cluster members Service selects every Deployment; any other selects exactly one.
      assertThat(selected).as(name(service)).hasSize(name(service).equals("studio-members") ? SERVICES.size() : 1);
      service.get("spec.ports").items().forEach(port -> assertThat(port(containers(selected.get(0)).get(0),
          port.get("targetPort").string())).as(name(service) + " targetPort").isNotNull());
    });
  }

  @Test
  @DisplayName("the Ingresses serve TLS from cert-manager and route /rt and /api/v1/events to the hub, the rest to web")
  void ingressRoutesAndTls() {
    List<Tree> ingresses = kind("Ingress");
    ingresses.forEach(ingress -> {
      assertThat(ingress.get("spec.tls").items()).as(name(ingress) + " tls").isNotEmpty();
      ingress.get("spec.tls").items().forEach(tls -> {
        assertThat(tls.get("hosts").strings()).as(name(ingress)).isNotEmpty();
        assertThat(tls.get("secretName").present()).as(name(ingress)).isTrue();
      });
    });
    assertThat(ingresses).anySatisfy(ingress ->
        assertThat(ingress.get("metadata.annotations").map()).containsKey("cert-manager.io/cluster-issuer"));
    assertThat(backendOf("/rt")).isEqualTo("socket-hub");
    assertThat(backendOf("/api/v1/events")).isEqualTo("socket-hub");
    assertThat(backendOf("/")).isEqualTo("web");
  }

  @Test
  @DisplayName("the realtime Ingress keeps WebSocket and streaming connections open for an hour, unbuffered")
  void realtimeTimeouts() {
    Tree realtime = ingressRouting("/rt");
    Map<String, String> annotations = realtime.get("metadata.annotations").stringMap();
    assertThat(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout"))).isGreaterThanOrEqualTo(3600);
    assertThat(Integer.parseInt(annotations.get("nginx.ingress.kubernetes.io/proxy-send-timeout"))).isGreaterThanOrEqualTo(3600);
    assertThat(annotations).containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
  }

  @Test
  @DisplayName("a PodDisruptionBudget keeps at least one hub pod through voluntary disruptions")
  void hubDisruptionBudget() {
    assertThat(kind("PodDisruptionBudget")).anySatisfy(budget -> {
      assertThat(selects(budget.get("spec.selector"), deployment("socket-hub"))).isTrue();
      assertThat(((Number) budget.get("spec.minAvailable").value()).intValue()).isPositive();
    });
  }

  @Test
  @DisplayName("every autoscaler targets an existing Deployment with a sane replica range")
  void autoscalers() {
    assertThat(kind("HorizontalPodAutoscaler")).isNotEmpty().allSatisfy(autoscaler -> {
      assertThat(autoscaler.get("apiVersion").string()).isEqualTo("autoscaling/v2");
      assertThat(deployment(autoscaler.get("spec.scaleTargetRef.name").string()).present()).isTrue();
      int min = ((Number) autoscaler.get("spec.minReplicas").value()).intValue();
      assertThat(((Number) autoscaler.get("spec.maxReplicas").value()).intValue()).isGreaterThanOrEqualTo(min);
    });
  }

  @Test
  @DisplayName("production as shipped is authenticated: an auth mode, proxy trust behind the Ingress, a named origin")
  void productionIsAuthenticated() {
    Map<String, String> config = configMap().get("data").stringMap();
    assertThat(config.get("STUDIO_ENV")).isEqualTo("production");
    ProductionAccess.assertAuthenticated("configmap.yaml", config::get);
    if ("basic".equals(config.get(ProductionAccess.AUTH_MODE))) {
      assertThat(Repository.lines(DIRECTORY + "/secrets.env.example")).as("the admin password is a secret to set")
          .contains(ProductionAccess.ADMIN_PASSWORD + "=");
    }
  }

  @Test
  @DisplayName("secrets come only from the git-ignored generator input, never from a committed manifest")
  void secretsFromGenerator() {
    assertThat(kind("Secret")).isEmpty();
    Tree generator = Repository.yaml(DIRECTORY + "/" + KUSTOMIZATION).get("secretGenerator").items().get(0);
    assertThat(generator.get("name").string()).isEqualTo(SECRET_NAME);
    assertThat(generator.get("envs").strings()).containsExactly("secrets.env");
    assertThat(Repository.lines(DIRECTORY + "/secrets.env.example"))
        .contains("JWT_SECRET_KEY=", "WORKER_SHARED_SECRET=", "DATABASE_PASSWORD=");
    assertThat(Repository.lines(".gitignore")).contains(DIRECTORY + "/secrets.env");
  }

  private List<Tree> kind(String kind) {
    return resources.stream().filter(resource -> kind.equals(resource.get("kind").string())).toList();
  }

  private Tree byKindAndName(String kind, String name) {
    return kind(kind).stream().filter(resource -> name.equals(name(resource))).findFirst().orElse(new Tree(null));
  }

  private Tree deployment(String name) {
    return byKindAndName("Deployment", name);
  }

  private Tree configMap() {
    return byKindAndName("ConfigMap", "studio-config");
  }

  private String name(Tree resource) {
    return resource.get("metadata.name").string();
  }

  private static String describe(Tree resource) {
    return resource.get("kind").string() + " " + resource.get("metadata.name").string();
  }

  private static List<Tree> containers(Tree deployment) {
    return deployment.get("spec.template.spec.containers").items();
  }

  /** The container port a probe or Service names (by port name or number), or null. */
  private static Integer port(Tree container, String nameOrNumber) {
    return container.get("ports").items().stream()
        .filter(port -> nameOrNumber.equals(port.get("name").string())
            || nameOrNumber.equals(port.get("containerPort").string()))
        .map(port -> ((Number) port.get("containerPort").value()).intValue())
        .findFirst().orElse(null);
  }

  /** Whether an ingress rule lets traffic reach the container port: no port list opens every one. */
  private static boolean opens(Tree rule, Tree containerPort) {
    List<Tree> ports = rule.get("ports").items();
    int number = ((Number) containerPort.get("containerPort").value()).intValue();
    return ports.isEmpty() || ports.stream().anyMatch(port -> {
      String named = port.get("port").string();
      if (named == null) {
        return true; // a protocol without a port: every port
      }
      if (!named.matches("\\d+")) {
        return named.equals(containerPort.get("name").string());
      }
      int from = Integer.parseInt(named);
      int to = port.get("endPort").present() ? ((Number) port.get("endPort").value()).intValue() : from;
      return from <= number && number <= to;
    });
  }

  /** Whether a selector (plain or matchLabels) matches the Deployment's pod labels. */
  private static boolean selects(Tree selector, Tree deployment) {
    Map<String, String> wanted = selector.get("matchLabels").present()
        ? selector.get("matchLabels").stringMap() : selector.stringMap();
    Map<String, String> labels = deployment.get("spec.template.metadata.labels").stringMap();
    return !wanted.isEmpty() && labels.entrySet().containsAll(wanted.entrySet());
  }

  private Tree ingressRouting(String path) {
    return kind("Ingress").stream().filter(ingress -> ingress.get("spec.rules").items().stream()
        .flatMap(rule -> rule.get("http.paths").items().stream())
        .anyMatch(route -> path.equals(route.get("path").string()))).findFirst().orElseThrow();
  }

  /** The Service an Ingress path routes to, after checking the Service and its port exist. */
  private String backendOf(String path) {
    Tree route = ingressRouting(path).get("spec.rules").items().stream()
        .flatMap(rule -> rule.get("http.paths").items().stream())
        .filter(candidate -> path.equals(candidate.get("path").string())).findFirst().orElseThrow();
    String service = route.get("backend.service.name").string();
    Tree target = byKindAndName("Service", service);
    assertThat(target.get("spec.ports").items().stream().map(port -> port.get("name").string()))
        .as(path + " -> " + service).contains(route.get("backend.service.port.name").string());
    return service;
  }
}
