// <tiny-train> in Debian's Chromium (playwright-core): the checks of reader-suite.mjs.
import { readerSuite } from './reader-suite.mjs';

readerSuite('chromium');
