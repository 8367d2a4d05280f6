# One image for every sealtrail process (API, workers, CLI); the command picks the role.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY workers ./workers
COPY schema ./schema
COPY tsconfig.json ./
USER node
ENTRYPOINT ["node", "bin/sealtrail.js"]
