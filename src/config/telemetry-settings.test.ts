import { describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { validateConfig } from './load-config.js';
import { telemetrySettings } from './telemetry-settings.js';

function refusal(run: () => unknown): FrugalError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FrugalError);
    return error as FrugalError;
  }
  throw new Error('expected a config error');
}

describe('telemetry settings', () => {
  it('is off without an endpoint', () => {
    expect(telemetrySettings(undefined, {}).otlp).toBeUndefined();
    expect(validateConfig({}, { env: {} }).telemetry.otlp).toBeUndefined();
  });

  it('appends /v1/traces to OTEL_EXPORTER_OTLP_ENDPOINT and uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is', () => {
    expect(telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otlp?.tracesUrl).toBe('http://collector:4318/v1/traces');
    const both = telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp' });
    expect(both.otlp).toMatchObject({ tracesUrl: 'https://traces.example.com/otlp', from: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' });
    // The signal's path joins the base's path, before any query string; a path prefix is kept.
    expect(telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example.com/otlp/?tenant=a' }).otlp?.tracesUrl).toBe('https://gw.example.com/otlp/v1/traces?tenant=a');
    expect(telemetrySettings({ otlp: { endpoint: 'http://c:4318/base//' } }, {}).otlp?.tracesUrl).toBe('http://c:4318/base/v1/traces');
  });

  it('prefers telemetry.otlp.endpoint and its headers over the environment', () => {
    const settings = telemetrySettings(
      { service_name: 'gateway-eu', otlp: { endpoint: 'http://127.0.0.1:4318', headers: { authorization: 'Bearer from-config' } } },
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://elsewhere:4318', OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20env,x-tenant=a', OTEL_SERVICE_NAME: 'env-name' },
    );
    expect(settings.otlp).toMatchObject({
      tracesUrl: 'http://127.0.0.1:4318/v1/traces',
      from: 'telemetry.otlp.endpoint',
      headers: { authorization: 'Bearer from-config', 'x-tenant': 'a' },
      serviceName: 'gateway-eu',
    });
  });

  it('names the service from OTEL_SERVICE_NAME, then OTEL_RESOURCE_ATTRIBUTES, then frugal', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(telemetrySettings(undefined, { ...endpoint, OTEL_SERVICE_NAME: 'a', OTEL_RESOURCE_ATTRIBUTES: 'service.name=b' }).otlp?.serviceName).toBe('a');
    const fromResource = telemetrySettings(undefined, { ...endpoint, OTEL_RESOURCE_ATTRIBUTES: 'service.name=b,deployment.environment.name=prod' }).otlp;
    expect(fromResource?.serviceName).toBe('b');
    expect(fromResource?.resourceAttributes).toEqual({ 'service.name': 'b', 'deployment.environment.name': 'prod' });
    expect(telemetrySettings(undefined, endpoint).otlp?.serviceName).toBe('frugal');
  });

  it('discards a malformed OTEL_RESOURCE_ATTRIBUTES whole and says so, as the resource specification asks', () => {
    const settings = telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_RESOURCE_ATTRIBUTES: 'service.name=b,oops', OTEL_SERVICE_NAME: '' });
    expect(settings.otlp).toMatchObject({ resourceAttributes: {}, serviceName: 'frugal' });
    expect(settings.otlp?.notes).toEqual([expect.stringMatching(/OTEL_RESOURCE_ATTRIBUTES.*ignored/)]);
    expect(telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_RESOURCE_ATTRIBUTES: 'a=1' }).otlp?.notes).toEqual([]);
  });

  it('stays off when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says so', () => {
    expect(telemetrySettings({ otlp: { endpoint: 'http://c:4318' } }, { OTEL_SDK_DISABLED: 'true' }).otlp).toBeUndefined();
    expect(telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).otlp).toBeUndefined();
  });

  it('refuses at start-up what it cannot export, naming the setting', () => {
    expect(refusal(() => validateConfig({ telemetry: { otlp: { endpoint: 'http://c:4318' } } }, { env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } })).message).toMatch(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(refusal(() => telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).message).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(refusal(() => telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://c/traces' })).message).toMatch(/http:\/\/ or https:\/\//);
    expect(refusal(() => validateConfig({ telemetry: { otlp: { endpoint: 'not a url' } } }, { env: {} })).code).toBe('config_invalid');
    expect(refusal(() => telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'zipkin' })).message).toMatch(/OTEL_TRACES_EXPORTER/);
  });

  it('never quotes a malformed header list, which may hold a credential', () => {
    const error = refusal(() => telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'Bearer-s3cret-token' }));
    expect(error.message).toMatch(/OTEL_EXPORTER_OTLP_HEADERS/);
    expect(error.message).not.toContain('s3cret');
  });
});
