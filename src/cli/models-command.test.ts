import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { formatModelTable } from './models-command.js';

describe('frugal models', () => {
  it('prints name, provider, $ per 1M tokens and context for the built-in catalog', () => {
    const config = validateConfig({}, { env: { OPENAI_API_KEY: 'sk-x' } });
    const table = formatModelTable([...config.models.values()]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^name\s+provider\s+input \$\/1M\s+output \$\/1M\s+cached \$\/1M\s+context$/);
    const gpt4o = lines.find((line) => line.startsWith('gpt-4o '))!;
    expect(gpt4o.split(/\s+/)).toEqual(['gpt-4o', 'openai', '2.5', '10', '1.25', '128000']);
    const mini = lines.find((line) => line.startsWith('gpt-4o-mini '))!;
    expect(mini.split(/\s+/)).toEqual(['gpt-4o-mini', 'openai', '0.15', '0.6', '0.075', '128000']);
  });
});
