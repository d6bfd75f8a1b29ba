#!/usr/bin/env bash
# The browser tests drive Debian's chromium through Playwright (no browser download) and need a Korean font for readable
# screenshots. Installs both only when missing; apt waits for a lock another install holds instead of failing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Not `grep -q`: it stops reading early, and under pipefail fc-list's broken pipe would count as "missing".
[ -n "$(fc-list 2>/dev/null | grep -i nanum)" ] || missing+=(fonts-nanum)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: ${missing[*]} missing and not root; install them with apt-get" >&2
  exit 1
fi
echo "ensure-chromium: installing ${missing[*]}…" >&2
apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
