/** The chain's serialisation: the batch linker and the per-entry path give the same hashes on any values. */
import fc from 'fast-check';
import type { Knex } from 'knex';
import { canonical, ChainCursor, entryHash, GENESIS, LICENSE_EVENTS_CHAIN } from '../../src/audit/chain';

/** A cursor without a database: open() reads the head through this stand-in transaction. */
async function cursorAt(seq: number, hash: string): Promise<ChainCursor> {
  const head = { chain: 'license_events', seq, hash, updated_at: null, signed_seq: null, signed_hash: null, signature: null, key_id: null };
  const q = { where: () => q, first: async () => head, forUpdate: () => q };
  const trx = Object.assign(() => q, { client: { config: { client: 'sqlite3' } } }) as unknown as Knex.Transaction;
  return ChainCursor.open(trx, 'license_events');
}

const value = fc.oneof(fc.constant(null), fc.string(), fc.integer());
const row = fc.record(Object.fromEntries(LICENSE_EVENTS_CHAIN.columns.map(([c, t]) => [c, t === 'int' ? fc.oneof(fc.constant(null), fc.integer()) : value])));

describe('audit chain serialisation', () => {
  it('linker(shared)(own) equals next(row) equals entryHash, whatever the values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 5 }), fc.subarray(LICENSE_EVENTS_CHAIN.columns.map(([c]) => c)), async (rows, sharedCols) => {
        const a = await cursorAt(7, GENESIS);
        const b = await cursorAt(7, GENESIS);
        const shared = Object.fromEntries(sharedCols.map((c) => [c, rows[0][c]]));
        const link = b.linker(shared);
        let prev = GENESIS;
        rows.forEach((r, i) => {
          const whole = { ...r, ...shared };
          const x = a.next(whole);
          const y = link(Object.fromEntries(Object.entries(r).filter(([c]) => !(c in shared))));
          expect(y).toEqual(x);
          expect(x).toEqual({ seq: 8 + i, prev_hash: prev, hash: entryHash(prev, LICENSE_EVENTS_CHAIN, 8 + i, whole) });
          prev = x.hash;
        });
      }),
      { numRuns: 200 },
    );
  });

  it('normalises what the two databases return differently: integers as numbers, text as text', () => {
    const r = { license_id: '12', version: 1, event: 'issue', row_number: 4, details: '{"a":1}' };
    expect(canonical(LICENSE_EVENTS_CHAIN, 1, r)).toBe(canonical(LICENSE_EVENTS_CHAIN, 1, { ...r, license_id: 12 }));
    expect(canonical(LICENSE_EVENTS_CHAIN, 1, r)).toBe('["license_events",1,12,1,"issue",null,null,null,null,"{\\"a\\":1}",null,null,null,4,null]');
  });
});
