import CatalogImport from './import';
import CatalogDiff from './diff';
import CatalogList from './list';
import CatalogShow from './show';
import CatalogExport from './export';

export const CATALOG_COMMANDS = {
  'catalog:import': CatalogImport,
  'catalog:diff': CatalogDiff,
  'catalog:list': CatalogList,
  'catalog:show': CatalogShow,
  'catalog:export': CatalogExport,
};
