import { describe, expect, it } from 'vitest';
import { contentText } from '../../tokens/count-tokens.js';
import { gsm8kCases, kvCases, nqCases, type NqRow } from './compress-eval-cases.js';

const rows: NqRow[] = ['apple', 'river', 'castle', 'violin', 'comet', 'harbour'].map((topic, index) => ({
  id: `row.${index}`,
  question: `when was the ${topic} first recorded`,
  title: `The ${topic}`,
  context: `The ${topic} was first recorded in ${1700 + index}. It appears in ${topic} songs.`,
  answers: [`${1700 + index}`],
}));

describe('nqCases', () => {
  it('builds the paper prompt with the gold passage among distractors that hold no gold answer', () => {
    const poisoned: NqRow = { ...rows[5], id: 'row.poison', context: `Also mentions 1700 by accident.` };
    const [first] = nqCases([...rows, poisoned], { distractors: 4, distractorMode: 'random', seed: 7, limit: 1 });
    const prompt = contentText(first.messages[0].content);
    expect(prompt.startsWith('Write a high-quality answer for the given question using only the provided search results')).toBe(true);
    expect(prompt.endsWith('\n\nQuestion: when was the apple first recorded\nAnswer:')).toBe(true);
    expect(prompt.match(/^Document \[\d+\]\(Title: /gm)).toHaveLength(5);
    expect(prompt).toContain(rows[0].context);
    expect(prompt).not.toContain('by accident');
  });

  it('is reproducible from the seed and differs across seeds', () => {
    const build = (seed: number) => nqCases(rows, { distractors: 3, distractorMode: 'random', seed }).map((item) => contentText(item.messages[0].content));
    expect(build(1)).toEqual(build(1));
    expect(build(1)).not.toEqual(build(2));
  });

  it('picks the most similar passages in similar mode', () => {
    const related: NqRow = { id: 'row.related', question: 'x', title: 'Apple orchards', context: 'Apple trees were first recorded in orchards of apples.', answers: ['never'] };
    const [first] = nqCases([...rows, related], { distractors: 1, distractorMode: 'similar', seed: 1, limit: 1 });
    expect(contentText(first.messages[0].content)).toContain('Apple trees were first recorded');
  });

  it('checks retention before the question only, ignoring whitespace runs', () => {
    const [first] = nqCases(rows, { distractors: 0, distractorMode: 'random', seed: 1, limit: 1 });
    expect(first.check('Document [1](Title: The apple) recorded in  1700.\n\nQuestion: x').retained).toBe(true);
    expect(first.check('nothing here\n\nQuestion: was it 1700?').retained).toBe(false);
  });
});

describe('kvCases and gsm8kCases', () => {
  it('formats the key-value prompt byte for byte and needs the pair verbatim', () => {
    const [item] = kvCases([{ id: 'kv.0', instruction: 'Extract.', context: '{"a": "b",\n "c": "d"}', question: 'Key: "c"', answer: 'd', key: 'c' }]);
    expect(item.messages[0].content).toBe('Extract.\n\nJSON data:\n{"a": "b",\n "c": "d"}\n\nKey: "c"\nCorresponding value:');
    expect(item.check('{"c": "d"}').retained).toBe(true);
    expect(item.check('{"c":"d"}').retained).toBe(false);
  });

  it('counts kept exemplars and fails a kept exemplar that lost its answer line', () => {
    const shots = ['Question: one?\nstep\nThe answer is 1', 'Question: two?\nstep\nThe answer is 2'];
    const [item] = gsm8kCases({ prompt: shots.join('\n\n'), shots }, ['three?']);
    expect(item.check(`${shots[1]}\n\nQuestion: three?`)).toEqual({ retained: true, exemplarsKept: 1 });
    expect(item.check('Question: one?\nstep\n\nQuestion: three?')).toEqual({ retained: false, exemplarsKept: 1 });
  });
});
