#!/usr/bin/env bash
# The media tests (real mediasoup, real WebRTC stacks, ffmpeg, Chromium)
# inside a loopback-only network namespace: WebRTC gathers candidates on
# every interface, and these tests must never send a packet anywhere but
# loopback. Extra arguments go to jest.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
report=test-results/jest-media.json
rm -f "$report"
# --forceExit: @roamhq/wrtc (libwebrtc threads) segfaults on a natural process
# exit once a peer has existed; process.exit() after the run avoids it.
bash scripts/netns-run.sh npx jest --selectProjects media --runInBand --forceExit --json --outputFile="$report" "$@"
status=$?
# @roamhq/wrtc's native module (libwebrtc threads) can crash the process on
# exit, after jest has written its report. A signal exit (> 128) is then not
# a test failure: the report decides. Any failed test or suite still fails.
if [ $status -gt 128 ] && [ -f "$report" ] &&
  node -e 'const r=require("./'"$report"'"); process.exit(r.success && r.numFailedTestSuites===0 && r.numTotalTests>0 ? 0 : 1)'; then
  echo "[livecart] note: the test process died with signal $((status - 128)) at exit after all media tests passed (wrtc teardown); the jest report is green"
  status=0
fi
exit $status
