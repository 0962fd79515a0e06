import { FrugalError } from '../errors/frugal-error.js';
import type { RawConfig } from './config-schema.js';

/** Where and how traces are exported (OTLP over HTTP/protobuf). Header values may be credentials: never logged. */
export interface OtlpTraceSettings {
  /** The full URL spans are POSTed to (…/v1/traces). */
  tracesUrl: string;
  /** Where the URL came from, for the start-up line (a config path or an environment variable). */
  from: string;
  headers: Record<string, string>;
  serviceName: string;
  resourceAttributes: Record<string, string>;
  /** OTEL_BSP_SCHEDULE_DELAY: ms between batch exports; undefined: the SDK's default (5 s). */
  scheduleDelayMs: number | undefined;
  /** Settings discarded as the specification says (a malformed OTEL_RESOURCE_ATTRIBUTES): logged at start-up. */
  notes: string[];
}

export interface TelemetrySettings {
  /** undefined: tracing is off, and nothing of OpenTelemetry runs. */
  otlp: OtlpTraceSettings | undefined;
}

function invalid(message: string): FrugalError {
  return new FrugalError('config_invalid', `Invalid config: ${message}`);
}

/**
 * The standard OpenTelemetry variables, with `telemetry:` in the config taking precedence: on when an endpoint is
 * set (telemetry.otlp.endpoint, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT used as is, or OTEL_EXPORTER_OTLP_ENDPOINT +
 * /v1/traces), off otherwise or with OTEL_SDK_DISABLED=true / OTEL_TRACES_EXPORTER=none.
 */
export function telemetrySettings(raw: RawConfig['telemetry'], env: Record<string, string | undefined>): TelemetrySettings {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { otlp: undefined };
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter === 'none') return { otlp: undefined };
  const target = tracesUrl(raw?.otlp?.endpoint, env);
  if (target === undefined) return { otlp: undefined };
  if (exporter !== undefined && exporter !== '' && exporter !== 'otlp') {
    throw invalid(`OTEL_TRACES_EXPORTER: '${exporter}' is not supported (otlp or none)`);
  }
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL)?.trim();
  if (protocol && protocol !== 'http/protobuf') {
    throw invalid(`OTEL_EXPORTER_OTLP_PROTOCOL: '${protocol}' is not supported; Frugal exports traces over http/protobuf`);
  }
  const notes: string[] = [];
  // The resource SDK specification: an invalid OTEL_RESOURCE_ATTRIBUTES is discarded whole and reported, not fatal.
  let resourceAttributes: Record<string, string> = {};
  try {
    resourceAttributes = keyValueList(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES');
  } catch (error) {
    notes.push(`${(error as Error).message.replace(/^Invalid config: /, '')}; OTEL_RESOURCE_ATTRIBUTES ignored`);
  }
  return {
    otlp: {
      ...target,
      headers: {
        ...keyValueList(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS'),
        ...keyValueList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
        ...raw?.otlp?.headers,
      },
      serviceName: raw?.service_name ?? (env.OTEL_SERVICE_NAME || resourceAttributes['service.name'] || 'frugal'),
      resourceAttributes,
      scheduleDelayMs: delayOf(env.OTEL_BSP_SCHEDULE_DELAY),
      notes,
    },
  };
}

function tracesUrl(configured: string | undefined, env: Record<string, string | undefined>): { tracesUrl: string; from: string } | undefined {
  if (configured) return { tracesUrl: withTracesPath(checkedUrl(configured, 'telemetry.otlp.endpoint')), from: 'telemetry.otlp.endpoint' };
  const exact = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (exact) return { tracesUrl: checkedUrl(exact, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'), from: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' };
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (base) return { tracesUrl: withTracesPath(checkedUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT')), from: 'OTEL_EXPORTER_OTLP_ENDPOINT' };
  return undefined;
}

// The base endpoint gets the signal's path appended to its path, as the OTLP exporter specification says (a
// query string, which some collectors' gateways use, stays after it).
function withTracesPath(base: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  return url.href;
}

function checkedUrl(value: string, path: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${path}: not a URL (e.g. http://127.0.0.1:4318)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`${path}: must be an http:// or https:// URL`);
  return url.href;
}

/** W3C-baggage-like `key=value,key2=value2`, values percent-encoded: the format of the OTEL_* list variables. */
function keyValueList(value: string | undefined, name: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (!value) return result;
  for (const item of value.split(',')) {
    if (item.trim() === '') continue;
    const equals = item.indexOf('=');
    // Never quote the item: header values are credentials.
    if (equals <= 0) throw invalid(`${name}: expected key=value pairs separated by commas`);
    try {
      result[decodeURIComponent(item.slice(0, equals).trim())] = decodeURIComponent(item.slice(equals + 1).trim());
    } catch {
      throw invalid(`${name}: a value is not valid percent-encoding`);
    }
  }
  return result;
}

function delayOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw invalid('OTEL_BSP_SCHEDULE_DELAY: a whole number of milliseconds');
  return ms;
}
