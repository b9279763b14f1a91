export { type CapturedPoint, type RegistrationApi, TelemetryCapture } from './capture.js';
export {
  type CorruptingProbe,
  checkStoreTelemetry,
  type ExpectedStoreAttributes,
  type ScenarioHelpers,
} from './store-scenario.js';
