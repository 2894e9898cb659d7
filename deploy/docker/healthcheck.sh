#!/bin/bash
# Container health for whichever services this container runs: GET /health/ready on each Studio
# port that accepts a connection. Healthy when at least one port answers and every port that
# answers says 200 (a 503 body names the dependency that is down). A port that accepts but does
# not answer in time counts as unhealthy. Ports follow the same knobs as the services.
set -u

# Prints the HTTP status of GET /health/ready on 127.0.0.1:$1; exits 2 when nothing listens there.
ready_status() {
  timeout 4 bash -c '
    { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || exit 2
    printf "GET /health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3
    read -r _ status _ <&3
    echo "$status"' ready_status "$1"
}

answered=0
for port in "${STUDIO_HTTP_PORT:-8080}" "${STUDIO_HUB_PORT:-8081}" \
            "${STUDIO_TASKS_PORT:-8082}" "${STUDIO_DOWNLOADS_PORT:-8083}"; do
  status=$(ready_status "$port")
  if [ $? -eq 2 ]; then
    continue
  fi
  answered=$((answered + 1))
  if [ "$status" != "200" ]; then
    echo "port $port: /health/ready answered ${status:-nothing in time}"
    exit 1
  fi
done

if [ "$answered" -eq 0 ]; then
  echo "no Studio service listens yet"
  exit 1
fi
echo "ready ($answered service port(s))"
