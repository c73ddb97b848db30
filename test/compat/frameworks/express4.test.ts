// Express 4 (unmodified, from npm as `express4`) through createServer, every
// case over h2 (TLS and h2c), SPDY/3.1, SPDY/3 and HTTP/1.1 (see
// test/helpers/compat-matrix.ts for the clients).
import { expressSuite } from '../../helpers/compat-express.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express4');

expressSuite('Express 4', express);
