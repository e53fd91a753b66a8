/** Loads every built-in scenario into the registry. */
import './udp-echo.js';
import './ping-partition.js';
import './data/register.js';
import './dns-lookup.js';
import './tcp-bulk.js';
import './many-conns.js';
import './gallery/epoll-echo.js';
import './gallery/http-dns.js';
import './gallery/chat.js';
import './gallery/simultaneous-open.js';
import './gallery/half-close.js';
import './gallery/partition-heal.js';
import './gallery/dns-outage.js';
import './gallery/fd-passing.js';

export { findScenario, listScenarios, registerScenario, type ScenarioDef, type Params } from './registry.js';
export { runScenario, type RunOptions, type ScenarioRun } from './runner.js';
