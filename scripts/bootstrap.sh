#!/usr/bin/env bash
# Installs everything the product needs on a fresh Debian machine: Debian
# packages for the media path, npm packages, the mediasoup worker (built
# offline and cached, see scripts/mediasoup/), the SRT listener helper
# (scripts/srt/), and the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
check_node
apt_ensure ffmpeg
npm_ensure
if [ -f scripts/mediasoup/ensure-worker.sh ] && [ -d node_modules/mediasoup ]; then
  bash scripts/mediasoup/ensure-worker.sh
fi
bash scripts/srt/ensure-helper.sh
build_ensure
