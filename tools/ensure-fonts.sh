#!/usr/bin/env bash
# Installs the Korean font the evaluation report's plots use (ScottPlot: NanumGothic, Debian package fonts-nanum), only if
# it is missing. Without it the plots still render, but Korean titles come out as empty boxes.
set -euo pipefail
if fc-list 2>/dev/null | grep -qi 'NanumGothic' || [ -f /usr/share/fonts/truetype/nanum/NanumGothic.ttf ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "ensure-fonts: fonts-nanum is missing and cannot be installed here (needs root and apt-get); Korean text in plots will show as boxes" >&2
  exit 0
fi
echo "ensure-fonts: installing fonts-nanum…" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-nanum >&2
