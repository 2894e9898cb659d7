package studio.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The PromQL reading that the dashboard and alerts check relies on: it must find names, and only names. */
class MonitoredSeriesTest {

  @Test
  @DisplayName("a quantile over a histogram names the _bucket series, not the functions, labels, durations or numbers")
  void quantile() {
    assertThat(MonitoredSeries.metricNames(
        "histogram_quantile(0.99, sum by (le, route) (rate(vertx_http_server_response_time_seconds_bucket"
            + "{route=~\"/api.*\", code!=\"500\"}[$__rate_interval]))) > 0.25"))
        .containsExactly("vertx_http_server_response_time_seconds_bucket");
  }

  @Test
  @DisplayName("binary operations, offsets and keywords: every operand is found, no keyword is taken for a name")
  void operands() {
    assertThat(MonitoredSeries.metricNames("sum(increase(a_total[10m])) + sum without (instance) (b_total offset 5m) "
        + "> 0 and on (service) max by (service) (c) == 0 unless d_seconds > 1e3"))
        .containsExactlyInAnyOrder("a_total", "b_total", "c", "d_seconds");
  }

  @Test
  @DisplayName("a scrape's series names include each histogram's _bucket, _count and _sum and skip comments")
  void scrapeNames() {
    String scrape = """
        # HELP t_seconds a timer
        # TYPE t_seconds histogram
        t_seconds_bucket{le="0.1"} 1
        t_seconds_count 1
        t_seconds_sum 0.05
        g 3.0
        """;
    assertThat(MonitoredSeries.scraped(scrape)).containsExactly("g", "t_seconds_bucket", "t_seconds_count", "t_seconds_sum");
  }
}
