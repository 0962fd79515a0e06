# syntax=docker/dockerfile:1
# Frugal's image: `docker build -t frugal .` then `docker run -p 4000:4000 frugal` (demo mode: no keys needed).
# Two stages: the build stage has the compilers better-sqlite3's native addon needs and the dev dependencies tsc
# needs; the runtime stage gets only the compiled dist/, the production node_modules (addon included, built
# against the same Node as it runs on) and runs as a non-root user.

FROM node:20-bookworm-slim AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts off, as package.json's allowScripts says; then the one package that needs its script,
# better-sqlite3, compiled from source here (no prebuilt download) against this image's own Node headers.
RUN npm ci --ignore-scripts --no-audit --no-fund \
  && npm_config_build_from_source=true npm_config_nodedir=/usr/local npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Then only production dependencies, and of the addon only the module it loads (its SQLite sources and object
# files are ~25 MB the runtime never reads).
RUN npm run build && npm prune --omit=dev --ignore-scripts \
  && cd node_modules/better-sqlite3 \
  && rm -rf deps src build/Release/obj build/Release/obj.target build/Release/.deps build/Release/sqlite3.a build/Release/test_extension.node

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    FRUGAL_HOST=0.0.0.0 \
    FRUGAL_PORT=4000 \
    FRUGAL_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY deploy/docker/healthcheck.mjs ./deploy/docker/healthcheck.mjs
# The SQLite ledger, spool and catalog override live here; mount a volume to keep them.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/data"]
# The base image's `node` user, by number so Kubernetes' runAsNonRoot can verify it without a lookup.
USER 1000:1000
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["node", "deploy/docker/healthcheck.mjs"]
# ENTRYPOINT + CMD is `node bin/frugal.mjs serve`, the command src/testing/serve-child.ts runs in the tests
# (test/deploy-dockerfile.test.ts checks they stay the same). Other commands: `docker run frugal ledger migrate`.
ENTRYPOINT ["node", "bin/frugal.mjs"]
CMD ["serve"]
