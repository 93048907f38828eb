import { describe, expect, it } from 'vitest';
import { combineParts } from './pg-session.js';

describe('combineParts', () => {
  it('puts parts in one statement, renumbering their parameters and counting the rows of those asked', () => {
    const combined = combineParts([
      { name: 'a_done', counted: true, text: 'INSERT INTO a SELECT * FROM unnest($1::int[], $2::text[])', values: [[1], ['x']] },
      { name: 'b_done', text: 'UPDATE b SET v = $2 WHERE k = $1 OR k = $1', values: ['k', 'v'] },
      { name: 'c_done', counted: true, text: 'DELETE FROM c WHERE k = $1', values: [7] },
    ]);
    expect(combined.text).toBe(
      'WITH a_done AS (INSERT INTO a SELECT * FROM unnest($1::int[], $2::text[]) RETURNING 1), ' +
        'b_done AS (UPDATE b SET v = $4 WHERE k = $3 OR k = $3), c_done AS (DELETE FROM c WHERE k = $5 RETURNING 1) ' +
        'SELECT (SELECT count(*) FROM a_done)::int AS a_done, (SELECT count(*) FROM c_done)::int AS c_done',
    );
    expect(combined.values).toEqual([[1], ['x'], 'k', 'v', 7]);
    expect(combineParts([{ name: 'x', text: 'DELETE FROM x WHERE k = $1', values: [1] }]).text).toBe('WITH x AS (DELETE FROM x WHERE k = $1) SELECT 1 AS done');
  });
});
