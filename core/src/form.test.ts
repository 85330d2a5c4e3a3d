import { describe, expect, it } from 'vitest';
import { formValues } from './form.js';

const texts = [
  '', '&', '&&', '=', 'a', 'a=', '=a', 'a=1', 'a=1&a=2', 'a=1&b=2&a=3', '?a=1', 'x=1&?a=2', '?', '??a=1',
  'a+b=c+d', 'a%20b=%41', '%61=1', 'a=%zz', 'a=%', 'a=%E2%82', 'a=%E2%82%AC', 'a=1=2', '+=+', '%3D=%26',
  'a=\u00e9', 'a=1;b=2', ' a = 1 ', 'A=1', 'a&a&a=', 'a%=1', 'a%2=1',
];
const names = ['a', 'b', '?a', 'a b', ' ', '', 'x', '=', '&', 'A', 'a%', 'a%2'];

describe('formValues', () => {
  it('decodes every field exactly as URLSearchParams.getAll', () => {
    for (const text of texts) {
      for (const name of names) {
        expect(formValues(text, name), JSON.stringify([text, name])).toEqual(new URLSearchParams(text).getAll(name));
      }
    }
  });

  it('agrees with URLSearchParams on generated texts', () => {
    const alphabet = ['a', 'b', '=', '&', '%', '2', '0', '+', '?', 'F', ' '];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let i = 0; i < 2000; i++) {
      let text = '';
      for (let j = next() % 12; j > 0; j--) text += alphabet[next() % alphabet.length];
      for (const name of ['a', 'b', 'a b', ' ', '?a', '']) {
        expect(formValues(text, name), JSON.stringify([text, name])).toEqual(new URLSearchParams(text).getAll(name));
      }
    }
  });
});
