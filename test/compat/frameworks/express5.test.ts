// Express 5 (unmodified, from npm) through createServer, every case over h2
// (TLS and h2c), SPDY/3.1, SPDY/3 and HTTP/1.1 (see
// test/helpers/compat-matrix.ts for the clients).
import { EXPRESS5_CASES, expressSuite } from '../../helpers/compat-express.js';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express');

expressSuite('Express 5', express, EXPRESS5_CASES);
