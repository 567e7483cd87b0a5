// <tiny-train> in WebKitGTK's MiniBrowser (selenium-webdriver, under xvfb-run): the checks of reader-suite.mjs.
import { readerSuite } from './reader-suite.mjs';

readerSuite('webkit');
