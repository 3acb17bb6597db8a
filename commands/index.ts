/** Every command, listed explicitly (oclif "explicit" strategy): no directory scan at start-up. */
import Init from './init';
import CatalogImport from './catalog/import';
import CatalogDiff from './catalog/diff';
import CatalogList from './catalog/list';
import CatalogShow from './catalog/show';
import CatalogExport from './catalog/export';

export const COMMANDS = {
  init: Init,
  'catalog:import': CatalogImport,
  'catalog:diff': CatalogDiff,
  'catalog:list': CatalogList,
  'catalog:show': CatalogShow,
  'catalog:export': CatalogExport,
};
