#!/usr/bin/env bash
# Builds livecart-srt (media/ingest/srt/livecart-srt.c), the SRT listener of
# the RTMP/SRT ingest, against Debian's libsrt, into build/srt/. A build whose
# inputs (the source, libsrt's version, the compiler) have not changed is kept.
#
#   bash scripts/srt/ensure-helper.sh        (scripts/bootstrap.sh runs it)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib.sh

src=media/ingest/srt/livecart-srt.c
out=build/srt/livecart-srt
# libsrt in its GnuTLS flavour: the one Debian's ffmpeg links, so one libsrt serves both.
apt_ensure gcc libc6-dev pkg-config libsrt-gnutls-dev
command -v gcc >/dev/null || die "gcc is needed to build the SRT helper (or set SRT_ENABLED=false)"
pkg-config --exists srt || die "libsrt (pkg-config srt) is needed to build the SRT helper: apt-get install libsrt-gnutls-dev"

key="$( { sha256sum "$src" | cut -d' ' -f1; pkg-config --modversion srt; gcc -dumpfullversion; } | sha256sum | cut -c1-16)"
if [ -x "$out" ] && [ "$(cat "$out.key" 2>/dev/null || true)" = "$key" ]; then
  exit 0
fi
log "building the SRT helper ($out)"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2046
gcc -O2 -Wall -Wextra -Werror -o "$out.tmp" "$src" $(pkg-config --cflags --libs srt) -lpthread
mv "$out.tmp" "$out"
echo "$key" >"$out.key"
