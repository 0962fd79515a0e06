import { describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import { validateConfig } from './load-config.js';

const providers = { local: { kind: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-test' } };
const withPrice = (price: Record<string, unknown>) => ({ providers, models: [{ name: 'tiered', provider: 'local', price }] });

function configError(raw: Record<string, unknown>): FrugalError {
  try {
    validateConfig(raw, { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(FrugalError);
    expect((error as FrugalError).code).toBe('config_invalid');
    return error as FrugalError;
  }
  throw new Error('expected a config error');
}

describe('config: batch, flex and off-peak prices', () => {
  it('resolves every tier to exact integer rates and shows them per 1M tokens', () => {
    const config = validateConfig(
      withPrice({
        input: '0.27',
        output: 1.1,
        cached_input: 0.07,
        batch_discount: 0.5,
        flex: { input: 0.2, output: 0.8 },
        off_peak: { windows: ['16:30-00:30 UTC'], input: 0.135, output: 0.55, cached_input: 0.035 },
      }),
      { env: {} },
    );
    const model = config.models.get('tiered')!;
    expect(model.price.batch).toEqual({ inputPico: 135_000, outputPico: 550_000, cachedInputPico: 35_000, cacheWritePico: 135_000 });
    expect(model.price.flex).toEqual({ inputPico: 200_000, outputPico: 800_000, cachedInputPico: 200_000, cacheWritePico: 200_000 });
    expect(model.price.offPeak).toMatchObject({ inputPico: 135_000, windows: [{ startMinute: 990, endMinute: 30, offsetMinutes: 0 }] });
    expect(model.priceUsdPerMillion).toMatchObject({
      batch: { input: '0.135', output: '0.55', cachedInput: '0.035' },
      flex: { input: '0.2', output: '0.8', cachedInput: '0.2' },
      offPeak: { input: '0.135', output: '0.55', cachedInput: '0.035', windows: ['16:30-00:30 UTC'] },
    });
  });

  it('names the window that cannot be read', () => {
    const error = configError(withPrice({ input: 1, output: 2, off_peak: { windows: ['16:30-00:30 UTC', '25:00-01:00 UTC'], input: 0.5, output: 1 } }));
    expect(error.message).toContain('models[0].price.off_peak.windows[1]');
  });

  it('refuses a window without a time zone, naming it', () => {
    expect(configError(withPrice({ input: 1, output: 2, off_peak: { windows: ['16:30-00:30'], input: 0.5, output: 1 } })).message).toContain('models[0].price.off_peak.windows[0]');
  });

  it('refuses a batch price and a batch discount together', () => {
    expect(configError(withPrice({ input: 1, output: 2, batch: { input: 0.5, output: 1 }, batch_discount: 0.5 })).message).toContain('models[0].price.batch_discount');
  });

  it('refuses a discount that is not a fraction, and a bad tier price, naming the field', () => {
    expect(configError(withPrice({ input: 1, output: 2, batch_discount: '50%' })).message).toContain('models[0].price.batch_discount');
    expect(configError(withPrice({ input: 1, output: 2, batch_discount: 1.5 })).message).toContain('batch_discount');
    expect(configError(withPrice({ input: 1, output: 2, flex: { input: '0.1234567', output: 1 } })).message).toContain('flex.input');
    expect(configError(withPrice({ input: 1, output: 2, off_peak: { windows: [], input: 0.5, output: 1 } })).message).toContain('off_peak.windows');
    expect(configError(withPrice({ input: 1, output: 2, flex: { input: 1 } })).message).toContain('flex.output');
  });

  it('keeps the built-in tiers of a catalog model priced without a `price:` of its own', () => {
    const config = validateConfig({}, { env: { OPENAI_API_KEY: 'sk-x', ANTHROPIC_API_KEY: 'sk-ant', DEEPSEEK_API_KEY: 'sk-ds' } });
    expect(config.models.get('gpt-4o')?.priceUsdPerMillion.batch).toEqual({ input: '1.25', output: '5', cachedInput: '1.25' });
    expect(config.models.get('claude-haiku-4-5')?.priceUsdPerMillion.batch).toEqual({ input: '0.5', output: '2.5', cachedInput: '0.05' });
    expect(config.models.get('deepseek-v4-pro')?.priceUsdPerMillion.offPeak?.windows).toHaveLength(4);
    // A configured price replaces the catalog's whole: another host's price has no DeepSeek off-peak hours.
    const hosted = validateConfig({ providers, models: [{ name: 'deepseek-v4-pro', provider: 'local', price: { input: 1, output: 3 } }] }, { env: {} });
    expect(hosted.models.get('deepseek-v4-pro')?.price.offPeak).toBeUndefined();
  });
});
