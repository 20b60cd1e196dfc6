#!/usr/bin/env bash
# Builds admit's room client (src/room.js with LiveKit's browser SDK) into
# one file, web/static/room.js, from the exact versions in package-lock.json.
# The bundle is committed, so that `go run ./cmd/admit serve` needs no npm;
# .ci/room-bundle rebuilds it and fails when it differs.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install esbuild src/room.js --bundle --minify --format=iife --target=es2020 \
  --legal-comments=eof --charset=utf8 --log-level=warning --outfile=../static/room.js
