// A CommonJS file (`.cts`): `import x = require(...)` compiles to `require()`, which
// loads the ESM packages on Node 20.19+ (TypeScript 5.8+ with module nodenext).
import core = require('@portcullis/core');
import adapter = require('@portcullis/express');

const middleware = adapter.authentication({ backend: core.basicAuth({ verify: () => null }) });
console.log(typeof core.SimpleUser, typeof adapter.requires, typeof middleware.authenticator.run);
