#!/usr/bin/env bash
# Run before `npm test` (pretest) and by .ci/run: installs the system tools the suite drives for
# real, only the binaries and Python packages, never a service left running:
#   redis-server   test/distributed/ starts its own instances (and a 3-master cluster) on loopback
#   strace         the kill-safety test reads the kernel's view of every signal
#   python3-pytest, python3-pytest-xdist   pytest mode's fixture suites (for /usr/bin/python3)
#   chromium       the HTML report is loaded in a real headless browser
# On a fresh Debian machine as root they are installed (Debian's packages); elsewhere the
# message says what to do.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v strace >/dev/null 2>&1 || missing+=(strace)
/usr/bin/python3 -c 'import pytest' >/dev/null 2>&1 || missing+=(python3-pytest)
/usr/bin/python3 -c 'import xdist' >/dev/null 2>&1 || missing+=(python3-pytest-xdist)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ergate tests: installing ${missing[*]} (Debian packages)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null && exit 0
fi
echo "ergate tests: the suite needs ${missing[*]} (e.g. apt-get install ${missing[*]})" >&2
exit 1
