#!/usr/bin/env bash
# Run before `npm test` (pretest) and by .ci/run: the distributed tests start their own
# redis-server on a loopback port, and the kill-safety test reads the kernel's view of every
# signal through strace, so only the binaries are needed. On a fresh Debian machine as root
# they are installed (Debian's packages); elsewhere the message says what to do.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v strace >/dev/null 2>&1 || missing+=(strace)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ergate tests: installing ${missing[*]} (Debian packages) for test/distributed/ and test/script/kill-safety" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null && exit 0
fi
echo "ergate tests: the suite needs ${missing[*]} on PATH (e.g. apt-get install ${missing[*]})" >&2
exit 1
