import CatalogImport from './import';
import CatalogDiff from './diff';
import CatalogList from './list';
import CatalogShow from './show';
import CatalogExport from './export';
import CatalogInspect from './inspect';
import CatalogSetCode from './set-code';
import CatalogHeadersAdd from './headers/add';
import CatalogHeadersList from './headers/list';
import CatalogHeadersRemove from './headers/remove';
import CatalogHeadersFields from './headers/fields';

export const CATALOG_COMMANDS = {
  'catalog:import': CatalogImport,
  'catalog:diff': CatalogDiff,
  'catalog:list': CatalogList,
  'catalog:show': CatalogShow,
  'catalog:export': CatalogExport,
  'catalog:inspect': CatalogInspect,
  'catalog:set-code': CatalogSetCode,
  'catalog:headers:add': CatalogHeadersAdd,
  'catalog:headers:list': CatalogHeadersList,
  'catalog:headers:remove': CatalogHeadersRemove,
  'catalog:headers:fields': CatalogHeadersFields,
};
