# Parley's container image: `docker build -t parley .` then
#   docker run -p 8080:8080 -e OPENAI_API_KEY=... parley         (PARLEY_AI=local without a key)
# Build stage: compiles the media-core addon (node-gyp, C++20) and the TypeScript, then drops
# dev dependencies. Runtime stage: Node on slim Debian, non-root, only the files `parley serve`
# loads (test/deploy/dockerfile.test.ts checks the list against what the start command loads).
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
# node:bookworm carries g++, make and python3 for node-gyp; the addon is built against this
# Node's own headers (scripts/build-native.mjs), so nothing is downloaded for it.
COPY package.json package-lock.json binding.gyp tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY native ./native
COPY machines ./machines
COPY src ./src
COPY bin ./bin
# npm ci runs the install script (the addon) and prepare (the TypeScript, into dist/).
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/machines ./dist/machines
COPY --from=build /app/build/Release/parley_core.node ./build/Release/parley_core.node
# The node image's unprivileged user (uid 1000); nothing in /app is writable by it.
USER node
EXPOSE 8080
# SIGTERM starts the graceful drain (readyz 503, live calls finish, then exit 0); the
# orchestrator's grace period must exceed PARLEY_DRAIN_MS.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/parley.js"]
CMD ["serve"]
