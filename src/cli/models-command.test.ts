import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { formatModelTable } from './models-command.js';

describe('frugal models', () => {
  it('prints name, provider, $ per 1M tokens and context for the built-in catalog', () => {
    const config = validateConfig({}, { env: { OPENAI_API_KEY: 'sk-x' } });
    const table = formatModelTable([...config.models.values()]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^name\s+provider\s+input \$\/1M\s+output \$\/1M\s+cached \$\/1M\s+batch in\/out\s+flex in\/out\s+off-peak in\/out\s+context$/);
    const gpt4o = lines.find((line) => line.startsWith('gpt-4o '))!;
    expect(gpt4o.split(/\s+/)).toEqual(['gpt-4o', 'openai', '2.5', '10', '1.25', '1.25/5', '-', '-', '128000']);
    const mini = lines.find((line) => line.startsWith('gpt-4o-mini '))!;
    expect(mini.split(/\s+/)).toEqual(['gpt-4o-mini', 'openai', '0.15', '0.6', '0.075', '0.075/0.3', '-', '-', '128000']);
  });

  it('shows batch, flex and off-peak prices, and lists the off-peak windows under the table', () => {
    const config = validateConfig(
      {
        providers: { local: { kind: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-x' } },
        models: [
          { name: 'night-owl', provider: 'local', price: { input: 1, output: 2, off_peak: { windows: ['16:30-00:30 UTC', 'Sat-Sun 00:00-24:00 UTC+8'], input: 0.5, output: 1 } } },
          { name: 'patient', provider: 'local', price: { input: 2, output: 8, batch_discount: 0.5, flex: { input: 1, output: 4 } } },
        ],
      },
      { env: {} },
    );
    const lines = formatModelTable([...config.models.values()].filter((model) => model.provider === 'local')).split('\n');
    expect(lines.find((line) => line.startsWith('night-owl '))!.split(/\s+/)).toEqual(['night-owl', 'local', '1', '2', '1', '-', '-', '0.5/1', '-']);
    expect(lines.find((line) => line.startsWith('patient '))!.split(/\s+/)).toEqual(['patient', 'local', '2', '8', '2', '1/4', '1/4', '-', '-']);
    expect(lines.at(-1)).toBe('  night-owl: 16:30-00:30 UTC, Sat-Sun 00:00-24:00 UTC+8');
  });
});
