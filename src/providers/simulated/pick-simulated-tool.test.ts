import { describe, expect, it } from 'vitest';
import type { ChatRequest, ToolDefinition } from '../../wire/chat-types.js';
import { pickSimulatedTool, wordsOf } from './pick-simulated-tool.js';

const weather: ToolDefinition = { type: 'function', function: { name: 'get_weather', description: 'Current weather in a city' } };
const stocks: ToolDefinition = { type: 'function', function: { name: 'getStockPrice', description: 'Latest share price for a ticker' } };
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'm', messages: [{ role: 'user', content }], tools: [weather, stocks], ...extra });

describe('pickSimulatedTool', () => {
  it('calls the tool whose name and description share the most words with the prompt, under auto', () => {
    expect(pickSimulatedTool(ask('What is the share price of ACME?'))).toEqual({ tool: stocks, reason: 'best_match' });
    expect(pickSimulatedTool(ask('How is the weather in Paris?'))).toEqual({ tool: weather, reason: 'best_match' });
  });

  it('falls back to the first offered tool when no word matches', () => {
    expect(pickSimulatedTool(ask('Hello there'))).toEqual({ tool: weather, reason: 'first_offered' });
  });

  it('answers in text after a tool result under auto, but still calls when a tool is required', () => {
    const afterTool = ask('Weather in Paris?');
    afterTool.messages.push(
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: '18°C' },
    );
    expect(pickSimulatedTool(afterTool)).toBeUndefined();
    expect(pickSimulatedTool({ ...afterTool, tool_choice: 'required' })?.tool).toBe(weather);
  });

  it('honours none and a named function, and refuses a name that is not offered', () => {
    expect(pickSimulatedTool(ask('weather', { tool_choice: 'none' }))).toBeUndefined();
    expect(pickSimulatedTool(ask('weather', { tool_choice: { type: 'function', function: { name: 'getStockPrice' } } }))).toEqual({ tool: stocks, reason: 'named' });
    expect(() => pickSimulatedTool(ask('weather', { tool_choice: { type: 'function', function: { name: 'nope' } } }))).toThrow(expect.objectContaining({ code: 'invalid_request', param: 'tool_choice' }));
    expect(pickSimulatedTool({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).toBeUndefined();
  });

  it('reads snake_case and camelCase names as words', () => {
    expect(wordsOf('get_weather getStockPrice')).toEqual(['weather', 'stock', 'price']);
  });
});
