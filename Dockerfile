# Production image: Node.js 22 LTS, non-root, only runtime dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
# Only the product: the fakes (packages/, npm workspaces) and the developer commands (dev/) stay out,
# and npm ci does not link workspaces whose folders are absent (test/packaging/artifact.test.ts).
COPY src ./src
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --ignore-scripts

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json LICENSE ./
USER 65532:65532
EXPOSE 8081 9090
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["run"]
