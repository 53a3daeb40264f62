#!/usr/bin/env bash
# Run before `npm test` (pretest) and by .ci/run: the distributed tests start their own
# redis-server on a loopback port, so only the binary is needed. On a fresh Debian machine as
# root it is installed (Debian's redis-server 7); elsewhere the message says what to do.
command -v redis-server >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ergate tests: installing redis-server (Debian package) for test/distributed/" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null && exit 0
fi
echo "ergate tests: test/distributed/ needs redis-server on PATH (e.g. apt-get install redis-server)" >&2
exit 1
