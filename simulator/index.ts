/** The simulator's programmatic API, for tests and the demo. The CLI is main.ts. */
export { SELLOUT_SKU } from './catalog.js';
export { MALFORMED_REASONS, SHARE_NAMES, resolveConfig, simulationOptionsSchema, type ShareName, type SimulationConfig, type SimulationOptions } from './config.js';
export { generateMessages } from './generate.js';
export type { ScenarioReport } from './scenario.js';
export type { Expected, SimMessage, TimedEvent } from './messages.js';
export type { Pacing } from './pacing.js';
export { computeTruth, runSimulation, simulate, type RunSimulationOptions, type SimulateOptions } from './run.js';
export { loadTruth, writeTruth } from './truth-file.js';
export type { CampaignHourRow, HourKey, SkuHourRow, Truth } from './truth.js';
export { compareWithTruth } from './compare-clickhouse.js';
