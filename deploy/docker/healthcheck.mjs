// The image's HEALTHCHECK (and the probe compose uses): exit 0 when this container's gateway answers GET /healthz
// with 200 within 3 s, 1 otherwise. The slim base image has no curl or wget; Node's fetch does the job. It asks
// 127.0.0.1 on $FRUGAL_PORT, else $PORT (default 4000): the port `frugal serve` listens on when the config sets none.
const port = process.env.FRUGAL_PORT || process.env.PORT || '4000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3_000) });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
