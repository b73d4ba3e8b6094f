// Runs the CLI from source, as bin/vigil.js runs it from the build.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
