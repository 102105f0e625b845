#!/usr/bin/env bash
# The media tests (real mediasoup, real WebRTC stacks, ffmpeg, Chromium)
# inside a loopback-only network namespace: WebRTC gathers candidates on
# every interface, and these tests must never send a packet anywhere but
# loopback. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
exec bash scripts/netns-run.sh npx jest --selectProjects media --runInBand --json --outputFile=test-results/jest-media.json "$@"
