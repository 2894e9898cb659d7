package studio.hub.socketio;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import studio.testsupport.HttpClients;

/** A bare Engine.IO v4 long-polling client for tests: raw requests, raw bodies. */
final class EngineIoClient {
  private final WebClient http;
  String sid;
  JsonObject handshake;
  /** Answers each ping with a pong, as a real client does; off to let the hub's pong deadline pass. */
  boolean autoPong = true;

  EngineIoClient(Vertx vertx) {
    this.http = HttpClients.of(vertx);
  }

  static HttpResponse<Buffer> get(Vertx vertx, int port, String uri) throws Exception {
    return HttpClients.of(vertx).get(port, "127.0.0.1", uri).send().toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** The handshake GET; keeps the sid. */
  EngineIoClient open(int port, String query) throws Exception {
    String body = get(port).bodyAsString(query);
    handshake = new JsonObject(body.substring(1));
    sid = handshake.getString("sid");
    return this;
  }

  private Request get(int port) {
    return new Request(port);
  }

  /** One polling GET on {@code port} (any replica): its packets. */
  List<String> poll(int port) throws Exception {
    HttpResponse<Buffer> response = http.get(port, "127.0.0.1", "/socket.io/?EIO=4&transport=polling&sid=" + sid).send()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (response.statusCode() != 200) {
      throw new IllegalStateException("poll answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    List<String> packets = Arrays.asList(response.bodyAsString().split("\u001e"));
    if (autoPong && packets.contains("2")) {
      post(port, "3");
    }
    return packets;
  }

  /** One polling POST of {@code packets}; its status. */
  HttpResponse<Buffer> post(int port, String... packets) throws Exception {
    return http.post(port, "127.0.0.1", "/socket.io/?EIO=4&transport=polling&sid=" + sid)
        .sendBuffer(Buffer.buffer(String.join("\u001e", packets)))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private final class Request {
    private final int port;

    Request(int port) {
      this.port = port;
    }

    String bodyAsString(String query) throws Exception {
      HttpResponse<Buffer> response = http.get(port, "127.0.0.1", "/socket.io/?EIO=4&transport=polling" + query).send()
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (response.statusCode() != 200) {
        throw new IllegalStateException("handshake answered " + response.statusCode() + ": " + response.bodyAsString());
      }
      return response.bodyAsString();
    }
  }
}
