import * as api from 'otel-api-low';
import { describeApiVersion } from './telemetry/api-version-check.js';

describeApiVersion('otel-api-low', '1.3.0', api);
