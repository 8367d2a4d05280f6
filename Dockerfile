# One image for every sealtrail process (API, workers, CLI); the command picks the role.
# Two stages: the build stage has the dev dependencies and compiles the CLI into dist/ (npm ci
# runs the `prepare` script: tsc, then the manual pages); the runtime stage installs the
# production dependencies only and takes dist/ from the build. test/deploy/image.test.ts
# installs the runtime stage's file set (the COPY lines below) the same way and runs it.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# package.json depends on file:vendor/msgpackr-extract-none: vendor/ comes before npm ci.
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY vendor ./vendor
COPY scripts ./scripts
COPY bin ./bin
COPY src ./src
COPY workers ./workers
COPY schema ./schema
COPY console ./console
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY vendor ./vendor
COPY scripts ./scripts
COPY bin ./bin
COPY schema ./schema
COPY console ./console
COPY deploy ./deploy
COPY --from=build /app/dist ./dist
# With no compiler here, the prepare script checks that dist/ is present and builds nothing.
# No optional dependencies: the only one is the embedded PostgreSQL of `sealtrail up` (60 MB),
# and in this image the database is a server of its own (docker-compose.yml).
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force
# The volumes' mount points, owned by the user the processes run as: Docker fills a new named
# volume from the image's directory, ownership included, so packs and witness copies are
# writable by uid 1000 (node). deploy/first-start.sh (the compose `setup` service) also
# chowns volumes created before this, and installs the keys readable by node only.
RUN mkdir -p /keys /packs /witness /spool && chown node:node /keys /packs /witness /spool && chmod 0700 /keys
USER node
ENTRYPOINT ["node", "bin/sealtrail.js"]
