package studio.launcher;

import studio.downloads.DownloadsConfig;
import java.util.OptionalInt;
import studio.hub.HubConfig;
import studio.runtime.config.CommonConfig;
import studio.runtime.config.Settings;
import studio.runtime.metrics.ManagementServer;
import studio.tasks.TasksConfig;
import studio.web.WebConfig;

/**
 * Every knob of every service, read and validated before anything starts, so a bad value stops
 * startup with one line instead of failing later inside one service. {@code managementPort}: the
 * process's unrouted metrics port ({@link ManagementServer}), when set.
 */
public record StudioConfig(CommonConfig common, WebConfig web, HubConfig hub, TasksConfig tasks,
                           DownloadsConfig downloads, OptionalInt managementPort) {

  public static StudioConfig from(Settings settings, boolean clusterFlag) {
    return new StudioConfig(CommonConfig.from(settings, clusterFlag), WebConfig.from(settings),
        HubConfig.from(settings), TasksConfig.from(settings), DownloadsConfig.from(settings),
        ManagementServer.port(settings));
  }

  public StudioConfig withCommon(CommonConfig newCommon) {
    return new StudioConfig(newCommon, web, hub, tasks, downloads, managementPort);
  }
}
