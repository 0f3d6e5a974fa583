# One image pattern for every Wharf service (api, constructor, allocator, proxy, runner).
#
# Build context: the stage made by docker/stage-app.mjs (package.json files, dist folders and
# production node_modules pruned on the host), not the repo root; docker/build.sh does both.
#
#   docker build -f docker/service.Dockerfile --build-arg SERVICE=api \
#     [--build-arg BASE_IMAGE=wharf/node-base:20] -t wharf/api:0.1.0 <stage-dir>
#
# BASE_IMAGE defaults to the official Node image for machines with a registry; offline hosts use
# wharf/node-base:20 from docker/offline/make-base.mjs. Neither stage needs a shell: the offline
# base has only node, so every instruction here is COPY/ENV/WORKDIR.
ARG BASE_IMAGE=node:20-bookworm-slim
# The stage-1 contents, when built beforehand: docker/build.sh builds `--target app` once, tags
# it wharf/app-stage:<hash>, and passes it here with an empty context to every service build
# (sending and checksumming the context costs seconds per build). Default: stage 1 below.
ARG APP_IMAGE=app

# Stage 1: the whole staged monorepo, owned by root (read-only to the service user).
FROM ${BASE_IMAGE} AS app
COPY --chown=0:0 . /app
FROM ${APP_IMAGE} AS selected

# Stage 2: the shared runtime (node_modules, library packages) and one service. The shared
# COPYs come before any use of SERVICE so that their layers are cached and stored once for all
# service images; only the last layers differ.
FROM ${BASE_IMAGE}
ENV NODE_ENV=production \
    LANG=C.UTF-8
COPY --from=selected /app/package.json /app/package.json
COPY --from=selected /app/node_modules /app/node_modules
COPY --from=selected /app/packages /app/packages
ARG SERVICE
ARG VERSION=0.0.0
COPY --from=selected /app/services/${SERVICE} /app/services/${SERVICE}
LABEL org.opencontainers.image.title="wharf-${SERVICE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.vendor="wharf" \
      wharf.service="${SERVICE}"
ENV WHARF_SERVICE=${SERVICE}
# WORKDIR expands build args; ENTRYPOINT's exec form does not, hence the relative path.
WORKDIR /app/services/${SERVICE}
USER 10001:10001
ENTRYPOINT ["node", "dist/main.js"]
