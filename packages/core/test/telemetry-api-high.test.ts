import * as api from 'otel-api-high';
import { describeApiVersion } from './telemetry/api-version-check.js';

describeApiVersion('otel-api-high', '1.10.0', api);
