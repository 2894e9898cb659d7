"""A RAG indexing worker: chunks the files of a source and reports its progress live.

    python3 rag_index.py --job-id JOB --source DIR_OR_FILE [--source-id ID] [--redis-url URL]

It walks the source (a file, or a directory's regular files in path order), cuts each file into
chunks of ``--chunk-bytes`` and hashes them (SHA-256), optionally writing the index as JSON lines
(``--index-out``). Its progress goes out as ``rag.index_job.updated`` events through the hubs'
Redis ingress stream (``studio_ingress``) to the rooms ``rag_job:<job>`` and
``rag_source:<source id>``: ``queued``, then ``running`` with ``processed``/``total``/``percent``,
then ``succeeded`` or ``failed`` with a ``message``. Each event carries the job's whole state (the
type is conflatable), so a page needs only the newest one.

Exit status: 0 succeeded; 1 the job failed (reported as ``failed``); 2 bad arguments; 3 an event
was refused: dead-lettered by the hubs, or over a limit before it was sent (logged with the reason);
4 Redis could not be reached within the retries.
"""

import argparse
import hashlib
import json
import logging
import os
import re
import signal
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from studio_ingress import DraftRefused, IngressPublisher, RedisUnavailable, preview

EVENT_TYPE = "rag.index_job.updated"
ENTITY_KIND = "rag_job"
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Free text in an event is a preview; these keep every event far below the 64 KiB draft limit.
MESSAGE_MAX_BYTES = 2048
PATH_MAX_BYTES = 512

LOG = logging.getLogger("rag_index")


class JobFailed(Exception):
    """Indexing cannot go on; the message is what the job's page shows."""


class Stopped(Exception):
    """SIGTERM or SIGINT arrived."""


def source_id_for(path):
    """A room id for a source named by path: its last component, with other characters as '-'."""
    name = re.sub(r"[^A-Za-z0-9_-]", "-", Path(path).resolve().name or "root")[:64]
    return name or "root"


class JobReporter:
    """Builds the job's state into bounded drafts, each with a key of its own, and publishes them."""

    def __init__(self, publisher, job_id, source_id, source, interval_s):
        self._publisher = publisher
        self._job_id = job_id
        # One run of the worker, so a rerun of the same job never collides with an earlier run's keys.
        self._run = uuid.uuid4().hex[:12]
        self._count = 0
        self._interval_s = interval_s
        self._last_sent = None
        self.entries = []
        self.state = {"job_id": job_id, "source_id": source_id, "status": "queued", "processed": 0,
                      "total": None, "percent": 0, "chunks": 0, "bytes": 0, "skipped": 0}
        self.state["source"], truncated = preview(str(source), PATH_MAX_BYTES)
        if truncated:
            self.state["source_truncated"] = True
        self._rooms = [f"rag_job:{job_id}", f"rag_source:{source_id}"]

    def update(self, message=None, force=True, **changes):
        """Applies ``changes``; publishes unless ``force`` is false and the last event is too recent."""
        self.state.update(changes)
        self.state.pop("message_truncated", None)
        if message is not None:
            self.state["message"], truncated = preview(message, MESSAGE_MAX_BYTES)
            if truncated:
                self.state["message_truncated"] = True
        total = self.state["total"]
        if self.state["status"] == "succeeded":
            self.state["percent"] = 100
        elif total:
            self.state["percent"] = self.state["processed"] * 100 // total
        now = time.monotonic()
        if not force and self._last_sent is not None and now - self._last_sent < self._interval_s:
            return
        self._last_sent = now
        self._count += 1
        payload = dict(self.state, updated_at=datetime.now(timezone.utc).isoformat(timespec="milliseconds"))
        entry = self._publisher.publish({
            "event_type": EVENT_TYPE, "entity_kind": ENTITY_KIND, "entity_id": self._job_id,
            "room_keys": self._rooms, "payload": payload,
            # Unique per event and stable across retries of the same XADD: the hub publishes it once.
            "idempotency_key": f"rag:{self._job_id}:{self._run}:{self._count}",
        })
        self.entries.append(entry)
        LOG.info("job %s: %s %s/%s (%s%%) as entry %s", self._job_id, self.state["status"], self.state["processed"],
                 total, self.state["percent"], entry)


def list_files(source, max_files):
    if not source.exists():
        raise JobFailed(f"source not found: {source}")
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise JobFailed(f"source is neither a file nor a directory: {source}")
    files = []
    for directory, subdirectories, names in os.walk(source, onerror=None):
        subdirectories.sort()
        for name in sorted(names):
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                files.append(path)
                if len(files) > max_files:
                    raise JobFailed(f"source has more than {max_files} files (--max-files)")
    return files


def chunk_file(path, chunk_bytes):
    """Yields ``(offset, length, sha256)`` per chunk; reads one chunk at a time, whatever the file's size."""
    offset = 0
    with open(path, "rb") as file:
        while True:
            block = file.read(chunk_bytes)
            if not block:
                return
            yield offset, len(block), hashlib.sha256(block).hexdigest()
            offset += len(block)


def run(args, reporter):
    reporter.update(message="queued")
    source = Path(args.source)
    files = list_files(source, args.max_files)
    reporter.update(status="running", total=len(files), message=f"indexing {len(files)} files")
    index = open(args.index_out, "w", encoding="utf-8") if args.index_out else None
    try:
        for number, path in enumerate(files, start=1):
            relative = str(path.relative_to(source)) if source.is_dir() else path.name
            try:
                chunks = list(chunk_file(path, args.chunk_bytes))
            except OSError as error:
                reporter.state["skipped"] += 1
                LOG.warning("job %s: skipped %s: %s", args.job_id, path, error)
                chunks = []
            if index:
                for offset, length, digest in chunks:
                    index.write(json.dumps({"file": relative, "offset": offset, "length": length,
                                            "sha256": digest}) + "\n")
            current, _ = preview(relative, PATH_MAX_BYTES)
            reporter.update(processed=number, chunks=reporter.state["chunks"] + len(chunks),
                            bytes=reporter.state["bytes"] + sum(length for _, length, _ in chunks),
                            current=current, message=f"indexed {relative}", force=number == len(files))
            if args.pace_ms:
                time.sleep(args.pace_ms / 1000)
    finally:
        if index:
            index.close()
    skipped = reporter.state["skipped"]
    reporter.state.pop("current", None)
    reporter.update(status="succeeded", message=f"indexed {len(files)} files into {reporter.state['chunks']} chunks"
                    + (f", {skipped} unreadable skipped" if skipped else ""))


def arguments(argv):
    parser = argparse.ArgumentParser(description="Index a RAG source and publish the job's progress live.")
    parser.add_argument("--job-id", required=True, help="the job's id: 1-64 of [A-Za-z0-9_-]")
    parser.add_argument("--source", required=True, help="a file or directory to index")
    parser.add_argument("--source-id", help="the source's room id (default: the source's name)")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))
    parser.add_argument("--chunk-bytes", type=int, default=2000)
    parser.add_argument("--max-files", type=int, default=100_000)
    parser.add_argument("--index-out", help="write the chunk index here (JSON lines)")
    parser.add_argument("--progress-interval-ms", type=int, default=250,
                        help="at most one progress event per interval (the first, last and status changes always go)")
    parser.add_argument("--pace-ms", type=int, default=0, help="pause after each file (demos and tests)")
    parser.add_argument("--redis-retries", type=int, default=30, help="attempts per Redis command before giving up")
    parser.add_argument("--settle-timeout-s", type=float, default=10.0,
                        help="wait this long for the hubs to handle the events, to report dead-lettered ones (0: don't)")
    args = parser.parse_args(argv)
    if not ID_PATTERN.fullmatch(args.job_id):
        parser.error("--job-id must be 1-64 of [A-Za-z0-9_-]")
    args.source_id = args.source_id or source_id_for(args.source)
    if not ID_PATTERN.fullmatch(args.source_id):
        parser.error("--source-id must be 1-64 of [A-Za-z0-9_-]")
    if args.chunk_bytes < 1 or args.max_files < 1:
        parser.error("--chunk-bytes and --max-files must be positive")
    return args


def stop(signum, frame):
    raise Stopped(signal.Signals(signum).name)


def main(argv):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = arguments(argv)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    publisher = IngressPublisher.from_url(args.redis_url, retries=args.redis_retries)
    reporter = JobReporter(publisher, args.job_id, args.source_id, args.source, args.progress_interval_ms / 1000)
    status = 0
    try:
        try:
            run(args, reporter)
        except (JobFailed, Stopped, OSError) as failure:
            reason = f"stopped by {failure}" if isinstance(failure, Stopped) else str(failure)
            LOG.error("job %s failed: %s", args.job_id, reason)
            reporter.update(status="failed", message=reason)
            status = 1
        if args.settle_timeout_s > 0:
            dead = publisher.settle(reporter.entries, args.settle_timeout_s)
            for entry, reason in dead.items():
                LOG.error("job %s: event %s was dead-lettered by the hub: %s", args.job_id, entry, reason)
            if not dead:
                LOG.info("job %s: the hubs published all %d events", args.job_id, len(reporter.entries))
            status = 3 if dead else status
    except RedisUnavailable as failure:
        LOG.error("job %s: cannot report progress: %s", args.job_id, failure)
        return 4
    except DraftRefused as refused:
        LOG.error("job %s: event refused before sending: %s", args.job_id, refused)
        return 3
    except TimeoutError as failure:
        # The events wait in the stream; a hub that reads it later still publishes them.
        LOG.warning("job %s: %s", args.job_id, failure)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
