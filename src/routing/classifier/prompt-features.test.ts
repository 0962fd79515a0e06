import { countTokens } from 'gpt-tokenizer';
import { describe, expect, it } from 'vitest';
import { estimateTokens, extractPromptFeatures, userPrompt } from './prompt-features.js';

describe('extractPromptFeatures', () => {
  it('counts code fences and code-like lines', () => {
    const prompt = 'Why does this fail?\n```python\ndef add(a, b):\n    return a + b\nprint(add(1))\n```';
    const features = extractPromptFeatures(userPrompt(prompt));
    expect(features.codeFences).toBe(1);
    expect(features.codeLines).toBeGreaterThanOrEqual(2);
    expect(features.codeLineRatio).toBeGreaterThan(0.3);
  });

  it('sees math in operators, LaTeX and math words', () => {
    const features = extractPromptFeatures(userPrompt('Solve for x: 3x + 5 = 20, then compute \\frac{x}{2} and the probability.'));
    expect(features.mathSymbols).toBeGreaterThanOrEqual(2);
    expect(features.mathWords).toBeGreaterThanOrEqual(2);
    expect(features.keywords.solve).toBe(true);
    expect(features.numbers).toBe(4);
  });

  it('measures the share of non-Latin letters', () => {
    expect(extractPromptFeatures(userPrompt('Bonjour, ça va très bien')).nonLatinRatio).toBe(0);
    expect(extractPromptFeatures(userPrompt('東京は日本の首都です')).nonLatinRatio).toBe(1);
    const mixed = extractPromptFeatures(userPrompt('abcd Привет')).nonLatinRatio;
    expect(mixed).toBeCloseTo(6 / 10, 5);
  });

  it('finds the instruction keywords', () => {
    const keywordsOf = (text: string) => extractPromptFeatures(userPrompt(text)).keywords;
    expect(keywordsOf('Translate this into French: good morning').translate).toBe(true);
    expect(keywordsOf('tl;dr of the following article please').summarize).toBe(true);
    expect(keywordsOf('Classify the sentiment of this review').classify).toBe(true);
    expect(keywordsOf('Extract all the dates from this email').extract).toBe(true);
    expect(keywordsOf('Think step by step').stepByStep).toBe(true);
    expect(keywordsOf('Give a detailed analysis of the market').detailedAnalysis).toBe(true);
    expect(keywordsOf('Explain why the sky is blue').explainWhy).toBe(true);
    expect(keywordsOf('Prove that √2 is irrational').prove).toBe(true);
    expect(keywordsOf('hello there').translate).toBe(false);
  });

  it('counts user turns, reads system instructions and notes tools and JSON', () => {
    const features = extractPromptFeatures(
      [
        { role: 'system', content: 'Reply in JSON.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
      ],
      { toolsPresent: true },
    );
    expect(features.userTurns).toBe(2);
    expect(features.messageCount).toBe(4);
    expect(features.toolsPresent).toBe(true);
    expect(features.jsonRequested).toBe(true);
    expect(features.taskText).toBe('Reply in JSON.\nWhat is the weather in Paris?');
  });

  it('flags JSON from response_format even without the word', () => {
    expect(extractPromptFeatures(userPrompt('List three colours'), { jsonMode: true }).jsonRequested).toBe(true);
    expect(extractPromptFeatures(userPrompt('List three colours')).jsonRequested).toBe(false);
  });

  it('counts multiple-choice option lines', () => {
    const features = extractPromptFeatures(userPrompt('Which is a prime?\nA. 4\nB. 6\nC. 7\nD. 9\nAnswer:'));
    expect(features.choiceLines).toBe(4);
  });

  it('counts tokens exactly for the whole conversation plus per-message overhead', () => {
    const features = extractPromptFeatures([
      { role: 'user', content: 'one two three' },
      { role: 'assistant', content: 'four' },
    ]);
    expect(features.tokens).toBe(countTokens('one two three\nfour') + 6);
    expect(features.tokensExact).toBe(true);
  });
});

describe('estimateTokens', () => {
  it('is exact for short text and extrapolates from a sample for long text', () => {
    expect(estimateTokens('hello world')).toEqual({ tokens: countTokens('hello world'), exact: true });
    const long = 'lorem ipsum dolor sit amet '.repeat(2_000);
    const estimate = estimateTokens(long);
    expect(estimate.exact).toBe(false);
    const exact = countTokens(long);
    expect(Math.abs(estimate.tokens - exact) / exact).toBeLessThan(0.02);
  });
});
