#!/bin/bash
# Container HEALTHCHECK without curl: GET /healthz over bash's /dev/tcp, healthy on HTTP 200.
# The port is HEALTHCHECK_PORT if set, else the port of the first URL in ASPNETCORE_URLS
# (the image's default). A container started with --urls on another port sets HEALTHCHECK_PORT too.
set -u
urls=${ASPNETCORE_URLS:-http://0.0.0.0:8080}
first=${urls%%;*}
port=${HEALTHCHECK_PORT:-${first##*:}}
port=${port%%/*}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t 5 status <&3 || exit 1
exec 3<&-
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) exit 1 ;;
esac
