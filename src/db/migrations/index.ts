import type { Knex } from 'knex';
import * as m001 from './20261122_001_catalog';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, in order. Listed explicitly so the build and the tests see the same set. */
export const migrations: Migration[] = [{ name: '20261122_001_catalog', ...m001 }];
