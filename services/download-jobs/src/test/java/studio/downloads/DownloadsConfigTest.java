package studio.downloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import studio.runtime.config.ConfigException;
import studio.runtime.config.Settings;

class DownloadsConfigTest {
  @Test
  @DisplayName("defaults: workspace under the data directory, huggingface.co, no token, any host")
  void defaults() {
    DownloadsConfig config = DownloadsConfig.from(Settings.of(Map.of()));
    assertThat(config.workspaceUnder(Path.of("/data"))).isEqualTo(Path.of("/data/workspace"));
    assertThat(config.hfEndpoint().toString()).isEqualTo("https://huggingface.co");
    assertThat(config.hfToken()).isNull();
    assertThat(config.allowedHosts()).isEmpty();
    assertThat(config.concurrency()).isEqualTo(2);
  }

  @Test
  @DisplayName("the old HF_ENDPOINT and HF_TOKEN are accepted as aliases; the new names win")
  void aliases() {
    DownloadsConfig old = DownloadsConfig.from(Settings.of(Map.of("HF_ENDPOINT", "http://mirror:8080/", "HF_TOKEN", "hf_x")));
    assertThat(old.hfEndpoint().toString()).isEqualTo("http://mirror:8080");
    assertThat(old.hfToken()).isEqualTo("hf_x");
    assertThat(old.toString()).doesNotContain("hf_x");
    DownloadsConfig both = DownloadsConfig.from(Settings.of(Map.of("HF_ENDPOINT", "http://old", "STUDIO_HF_ENDPOINT", "http://new")));
    assertThat(both.hfEndpoint().getHost()).isEqualTo("new");
  }

  @Test
  @DisplayName("bad values stop startup with one line naming the knob")
  void refusesBadValues() {
    assertThatThrownBy(() -> DownloadsConfig.from(Settings.of(Map.of(DownloadsConfig.HF_ENDPOINT, "ftp://x"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining(DownloadsConfig.HF_ENDPOINT);
    assertThatThrownBy(() -> DownloadsConfig.from(Settings.of(Map.of(DownloadsConfig.CONCURRENCY, "0"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining(DownloadsConfig.CONCURRENCY);
    assertThatThrownBy(() -> DownloadsConfig.from(Settings.of(Map.of(DownloadsConfig.LEASE, "500ms"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining(DownloadsConfig.LEASE);
  }
}
