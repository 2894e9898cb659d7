package studio.hub.session;

import java.time.Duration;

/** The per-connection limits a session enforces (from HubConfig). */
public record SessionSettings(Duration pingInterval, Duration pingTimeout, Duration authTimeout, int frameMaxBytes,
                              int framesPerSecond, int historyLimit, int clientQueueMaxBytes, int roomsMax) {
}
