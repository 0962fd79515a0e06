import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../wire/chat-types.js';
import { extractPromptFeatures, userPrompt } from './prompt-features.js';
import { classifyPrompt } from './rule-classifier.js';

const classify = (prompt: string | ChatMessage[], toolsPresent = false) =>
  classifyPrompt(extractPromptFeatures(typeof prompt === 'string' ? userPrompt(prompt) : prompt, { toolsPresent }));

describe('classifyPrompt', () => {
  it('routes code to code', () => {
    expect(classify('Write a Python function that returns the n-th Fibonacci number.').task).toBe('code');
    expect(classify('What is wrong here?\n```js\nconst x = [1, 2];\nx.push(3)\n```').task).toBe('code');
  });

  it('routes "translate to French" to translate, but translating code is code', () => {
    expect(classify('Translate to French: where is the station?').task).toBe('translate');
    expect(classify('Translate this Python function to JavaScript:\n```python\ndef f(x):\n    return x\n```').task).toBe('code');
  });

  it('recognises summaries, extraction and classification', () => {
    expect(classify('Summarize the following article in three bullet points: ...').task).toBe('summarize');
    expect(classify('tl;dr please').task).toBe('summarize');
    expect(classify('Extract all the names and dates from this text: Alice met Bob on 3 May.').task).toBe('extraction');
    expect(classify('Classify the sentiment of this review as positive or negative: great phone').task).toBe('classify');
  });

  it('sends math, proofs and step-by-step requests to reasoning', () => {
    expect(classify('Solve 3x + 5 = 20 and then compute x^2 - 4.').task).toBe('reasoning');
    expect(classify('Prove that there are infinitely many primes.').task).toBe('reasoning');
    expect(classify('Explain why the Roman Empire fell, step by step.').task).toBe('reasoning');
  });

  it('calls a short question simple and a conversation chat', () => {
    expect(classify('What is the capital of France?').task).toBe('simple');
    const conversation: ChatMessage[] = [
      { role: 'user', content: 'Hi, I need ideas for a birthday party.' },
      { role: 'assistant', content: 'Sure! How old is the birthday person?' },
      { role: 'user', content: 'She turns six.' },
    ];
    expect(classify(conversation).task).toBe('chat');
  });

  it('scores a proof above a greeting and stays within 0..1', () => {
    const greeting = classify('hello');
    const proof = classify('Prove rigorously, step by step, that every bounded monotone sequence of reals converges.');
    expect(proof.complexity).toBeGreaterThan(greeting.complexity + 0.4);
    expect(greeting.complexity).toBeGreaterThanOrEqual(0);
    expect(proof.complexity).toBeLessThanOrEqual(1);
  });

  it('raises complexity for tools and for a long task', () => {
    expect(classify('What is the weather in Paris?', true).complexity).toBeGreaterThan(classify('What is the weather in Paris?').complexity);
    const long = `Please review this policy. ${'The tenant shall keep the premises clean and pay rent monthly. '.repeat(200)}`;
    expect(classify(long).complexity).toBeGreaterThan(classify('Please review this policy.').complexity);
  });

  it('lowers complexity when a one-word answer is asked for', () => {
    const open = classify('Is this review positive or negative? The battery life is awful.');
    const brief = classify('Is this review positive or negative? Answer in one word. The battery life is awful.');
    expect(brief.complexity).toBeLessThan(open.complexity);
    expect(brief.reasons).toContain('short answer asked');
  });

  it('explains its decision', () => {
    expect(classify('Translate to German: thank you').reasons[0]).toBe('asks to translate');
  });
});

describe('classifyPrompt false friends', () => {
  it('does not call "in English" a translation or iron rust code', () => {
    expect(classify('Describe your weekend in English.').task).not.toBe('translate');
    expect(classify('Why does iron rust when it gets wet?').task).not.toBe('code');
  });
});
