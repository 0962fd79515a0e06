import { describe, expect, it } from 'vitest';
import { wrongSteps } from './arithmetic-steps.js';

describe('wrongSteps', () => {
  it('passes correct working in the forms answers write it', () => {
    expect(wrongSteps('So in one session, he runs 3 x 60 = <<3*60=180>>180 meters.')).toEqual([]);
    expect(wrongSteps('The total is $12.50 + $3 = $15.50, then 1,000 * 2 = 2,000.')).toEqual([]);
    expect(wrongSteps('(15 + 25) / 2 = 20 cups; 10 / 3 = 3.33 each; 20% * 50 = 10.')).toEqual([]);
    expect(wrongSteps('She gets 7 / 2 = 3 full boxes.')).toEqual([]);
  });

  it('finds the step whose result is wrong', () => {
    expect(wrongSteps('He runs 3 x 60 = 180 meters, so 180 x 3 = 560 a week.')).toEqual([{ expression: '180 x 3', stated: 560, actual: 540 }]);
    expect(wrongSteps('<<15+25=45>>45')).toEqual([{ expression: '15+25', stated: 45, actual: 40 }]);
    expect(wrongSteps('10 - 12 = 2')).toEqual([{ expression: '10 - 12', stated: 2, actual: -2 }]);
  });

  it('ignores what is not a calculation: assignments, comparisons, code and chains', () => {
    expect(wrongSteps('Let x = 5 and total = 12.')).toEqual([]);
    expect(wrongSteps('if (a + b >= 3) return a == 2;')).toEqual([]);
    expect(wrongSteps('In the box 3 = the third box.')).toEqual([]);
    expect(wrongSteps('3 + 4 = 7 + 1 = 8')).toEqual([]);
    expect(wrongSteps('Divide: 5 / 0 = 3')).toEqual([]);
    expect(wrongSteps('From 10:30 - 2 = 8:30 hours.')).toEqual([]);
  });
});
