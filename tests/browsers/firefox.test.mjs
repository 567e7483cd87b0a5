// <tiny-train> in Firefox ESR (puppeteer-core, WebDriver BiDi, headless): the checks of reader-suite.mjs.
import { readerSuite } from './reader-suite.mjs';

readerSuite('firefox');
