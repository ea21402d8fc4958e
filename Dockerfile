# faultline container image.
#
#   docker build -t faultline .
#   docker run --rm -p 8080:8080 -p 127.0.0.1:8081:8081 -e FAULTLINE_ADMIN_TOKEN=s3cret \
#     -v "$PWD/scenarios:/etc/faultline/scenarios:ro" \
#     faultline serve --upstream http://host.docker.internal:3000
#
# Every setting is an environment variable (FAULTLINE_*, see config/faultline.yaml); arguments
# after the image name go to the `faultline` CLI (default: `serve`).
#
# Stages: build (all dependencies, tsc) and deps (production dependencies only) feed the final
# stage, which holds dist/, the production node_modules, the bundled scenarios and nothing else.
# Pin the base by digest for reproducible builds: FROM node:22-bookworm-slim@sha256:<digest>.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --no-update-notifier
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && rm -f dist/.tsbuildinfo && find dist \( -name '*.map' -o -name '*.d.ts' \) -delete

FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no production dependency needs an install script.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --no-update-notifier && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    FAULTLINE_LISTEN=0.0.0.0:8080 \
    FAULTLINE_ADMIN=0.0.0.0:8081 \
    FAULTLINE_SCENARIOS=/etc/faultline/scenarios \
    FAULTLINE_SHUTDOWN_GRACE=8s
WORKDIR /app
COPY --chown=root:root package.json ./
COPY --chown=root:root --from=deps /app/node_modules ./node_modules
COPY --chown=root:root --from=build /app/dist ./dist
COPY --chown=root:root scenarios ./scenarios
COPY --chown=root:root config ./config
# The scenario directory ships one rule-less file, so the image starts (as a plain pass-through
# proxy) with nothing mounted; mounting a directory over it replaces it.
RUN chmod 0755 dist/cli/main.js \
 && ln -s /app/dist/cli/main.js /usr/local/bin/faultline \
 && mkdir -p /etc/faultline/scenarios \
 && printf '%s\n' '# No rules: every request passes through. Mount your scenarios over /etc/faultline/scenarios.' \
      'version: 1' 'rules: []' >/etc/faultline/scenarios/00-none.yaml
# The code and scenarios belong to root and are read-only for the process.
USER node
EXPOSE 8080 8081
# No curl in the image: node asks the admin listener's /readyz (200 once the proxy listens, 503
# while it drains). The port and host follow FAULTLINE_ADMIN.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "const a=process.env.FAULTLINE_ADMIN||'127.0.0.1:8081',i=a.lastIndexOf(':');let h=a.slice(0,i).replace(/^\\[|\\]$/g,'');if(h===''||h==='0.0.0.0'||h==='::')h='127.0.0.1';require('http').get({host:h,port:+a.slice(i+1),path:'/readyz',timeout:2500},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself (it spawns no children, so no init is needed
# to reap them); faultline stops accepting, drains in-flight requests for FAULTLINE_SHUTDOWN_GRACE
# and exits. 8s here (the CLI's default is 10s) so that it finishes before `docker stop`'s own
# 10 s SIGKILL deadline; raise both together (docker stop -t, stop_grace_period,
# terminationGracePeriodSeconds).
ENTRYPOINT ["faultline"]
CMD ["serve"]
