# Production image of vpc-route-sync: Node.js 22, production dependencies only, non-root, meant to
# run with a read-only root file system. What it needs of the builder (docs/image.md): no frontend
# image (no `# syntax=` line), so BuildKit builds it with its built-in Dockerfile frontend and the
# classic builder too. Multi-arch build and push where a registry is reachable:
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg VERSION=0.1.0 --build-arg REVISION=$(git rev-parse HEAD) \
#     -t ghcr.io/<owner>/vpc-route-sync:0.1.0 --push .
# Without a registry: NODE_IMAGE names a local base (scripts/image-base.sh makes one), and the
# classic builder, which has no automatic BUILDPLATFORM, is given BUILD_PLATFORM, e.g.
#   DOCKER_BUILDKIT=0 docker build --build-arg NODE_IMAGE=<local base> --build-arg BUILD_PLATFORM=linux/amd64 .
# npm ci needs the npm registry (npm's own; build with --network host where only the host reaches it).
# scripts/test-image.sh builds it that way and runs it as the Deployment does (npm run test:image).
ARG NODE_IMAGE=node:22-bookworm-slim
# BuildKit fills BUILDPLATFORM in; the classic builder leaves it empty, hence the build argument.
ARG BUILD_PLATFORM=${BUILDPLATFORM}

# TypeScript output is the same on every platform: compile once, on the builder's own platform.
FROM --platform=${BUILD_PLATFORM} ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# Only the product: the fakes (packages/, npm workspaces) and the developer commands (dev/) stay out,
# and npm ci does not link workspaces whose folders are absent (test/packaging/artifact.test.ts).
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# No source maps: production runs without --enable-source-maps, so nothing would read them.
RUN npx tsc -p tsconfig.build.json --sourceMap false

# Production dependencies, installed for the target platform (native modules would match it).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# What production never loads: type declarations, TypeScript sources and source maps of the
# dependencies, and the empty scope folders npm leaves for development packages. Measured: the
# image shrinks from 374 MB to 316 MB (/app 65 MB), most of it @kubernetes/client-node's.
RUN find node_modules -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.ts' -o -name '*.map' \) -delete \
 && find node_modules -type d -empty -delete

FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="vpc-route-sync" \
      org.opencontainers.image.description="Keeps Alibaba Cloud VPC route tables in step with Kubernetes Node pod CIDRs" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.documentation="https://github.com/vpc-route-sync/vpc-route-sync/blob/main/docs/install.md" \
      org.opencontainers.image.source="https://github.com/vpc-route-sync/vpc-route-sync"
ENV NODE_ENV=production
# V8 sizes its heap from the machine, not the container: cap it for the 256Mi memory limit of the
# manifests (old space 128 MiB; the rest is code, the SDKs' modules and buffers). Measured: RSS
# 199 MiB, peak 210, with 5,000 Nodes (docs/performance.md "Memory"). Raise it with the limit.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=4"
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json LICENSE ./
# 65532: the conventional "nonroot" uid; the Deployment also sets runAsNonRoot and a read-only root
# file system (the process writes nothing but /tmp, an emptyDir there).
USER 65532:65532
EXPOSE 10281 10282
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["run"]
