// node examples/password-migration/dist/main.js
import { runDemo } from './demo.js';

await runDemo();
