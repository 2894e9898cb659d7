package studio.downloads.queue;

/** One file of a claimed job; {@code bytesDone} is what the last progress write recorded. */
public record JobFile(int ordinal, String url, String path, Long size, String sha256, long bytesDone, boolean done) {
}
