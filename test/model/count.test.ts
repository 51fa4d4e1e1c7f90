import { expect, test } from '@jest/globals';
import { counted } from '../../harness/model/count.ts';

test('one is singular, zero and many are plural, irregular plurals are given', () => {
  expect(counted(1, 'cluster')).toBe('1 cluster');
  expect(counted(0, 'cluster')).toBe('0 clusters');
  expect(counted(3, 'warning')).toBe('3 warnings');
  expect(counted(1, 'policy', 'policies')).toBe('1 policy');
  expect(counted(2, 'policy', 'policies')).toBe('2 policies');
});
