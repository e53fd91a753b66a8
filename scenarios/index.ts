/** Loads every built-in scenario into the registry. */
import './udp-echo.js';
import './ping-partition.js';
import './data/register.js';
import './dns-lookup.js';
import './tcp-bulk.js';
import './many-conns.js';

export { findScenario, listScenarios, registerScenario, type ScenarioDef, type Params } from './registry.js';
export { runScenario, type RunOptions, type ScenarioRun } from './runner.js';
