#!/usr/bin/env node
// The yiye command line. Commands are compiled to dist/ by `npm run build`.
require('@oclif/core')
  .execute({ dir: __dirname })
  .catch(require('@oclif/core').Errors.handle);
