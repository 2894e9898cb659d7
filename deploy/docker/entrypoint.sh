#!/bin/sh
# Starts the launcher with the container's JVM flags; arguments are the launcher's
# (all | web | hub | tasks | downloads ... [--cluster]).
set -eu

# A clustered member must advertise an address the other containers can reach. The launcher's
# default (127.0.0.1) is this container's own loopback, so unless STUDIO_CLUSTER_HOST is given
# (Kubernetes passes the pod IP), advertise the container's IPv4 address.
if [ -z "${STUDIO_CLUSTER_HOST:-}" ]; then
  own_name=$(cat /proc/sys/kernel/hostname)
  own_address=$(getent ahostsv4 "$own_name" | while read -r address _; do echo "$address"; break; done)
  if [ -n "$own_address" ]; then
    STUDIO_CLUSTER_HOST=$own_address
    export STUDIO_CLUSTER_HOST
  fi
fi

# Hazelcast reaches into these JDK internals for its own metrics and I/O; without them it warns at
# every start. Kept here rather than in JAVA_OPTS so overriding JAVA_OPTS cannot drop them.
HAZELCAST_ACCESS="--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens java.management/sun.management=ALL-UNNAMED \
--add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED"

# Both are split into words on purpose: each holds several flags.
# shellcheck disable=SC2086
exec java $HAZELCAST_ACCESS ${JAVA_OPTS:-} -jar /app/studio.jar "$@"
