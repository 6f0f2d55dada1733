/**
 * jspurefix's dependency injection (tsyringe) needs the Reflect metadata polyfill loaded before it;
 * jspurefix depends on `reflect-metadata` but does not load it. Resolved from jspurefix's own
 * location, so it is the copy jspurefix declares whatever npm hoists.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
createRequire(require.resolve('jspurefix'))('reflect-metadata');
