# The hearing server image (used by docker-compose.yml).
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim-bookworm
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hearing/ hearing/
COPY signaling/ signaling/
COPY web/pages web/pages
COPY web/static web/static
COPY --from=web /src/web/dist web/dist
RUN pip install --no-cache-dir .
ENV HEARING_WEB_DIR=/app/web HEARING_DATA_DIR=/data
EXPOSE 8080
CMD ["hearing", "serve", "--host", "0.0.0.0"]
