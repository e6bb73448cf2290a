# settlement-squid: one image for the processor, the API and the local-profile tools (docker-compose.yml).
# Checked statically by test/ops/compose.test.ts (every path it copies exists); no Docker engine runs in CI.
#
#   docker build -t settlement-squid .                            # linux/amd64: contracts compiled too
#   docker build --build-arg BUILD_CONTRACTS=false -t settlement-squid .   # other platforms: no forge binary on npm
#
# BUILD_CONTRACTS=false leaves contracts/out empty: the processor and the API run, `npm run deploy` (and so the
# local profile's deploy service) does not.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency, forge (contracts/out, for deploy) and tsc (lib/)
FROM ${NODE_IMAGE} AS build
WORKDIR /squid
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json schema.graphql ./
COPY abi ./abi
COPY contracts ./contracts
COPY scripts ./scripts
COPY src ./src
ARG BUILD_CONTRACTS=true
RUN mkdir -p contracts/out \
 && if [ "$BUILD_CONTRACTS" = "true" ]; then node scripts/forge.js build; fi \
 && npx tsc -p tsconfig.json

# ---- runtime dependencies only (no dev, no optional: no embedded Postgres binaries, no anvil/forge)
FROM ${NODE_IMAGE} AS deps
WORKDIR /squid
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force

# ---- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /squid
COPY --from=deps /squid/node_modules ./node_modules
COPY --from=build /squid/lib ./lib
COPY --from=build /squid/contracts/out ./contracts/out
COPY package.json schema.graphql ./
COPY abi ./abi
COPY config ./config
COPY db ./db
# deployments files committed for real chains (and the template); the local profile writes its own to .data
COPY contracts/deployments ./contracts/deployments
# .data/deployments: the local profile's deployments volume (a new named volume takes this directory's owner)
RUN mkdir -p /squid/.data/deployments && chown -R node:node /squid/.data
USER node
# API (GQL_PORT) and processor metrics (PROMETHEUS_PORT)
EXPOSE 4350 3000
CMD ["node", "--enable-source-maps", "lib/main.js"]
