// Test support: `node --import ./module-trace.mjs …` appends every module URL the program loads
// to the file named by $VIGIL_MODULE_TRACE, so a test can say what a command did not load.
import { register } from 'node:module';

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(process.env.VIGIL_MODULE_TRACE ?? '/dev/null')}, resolved.url + '\\n');
  return resolved;
}`)}`,
);
