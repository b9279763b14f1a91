export { freePort, portAnswers, waitFor } from './free-port.js';
export { type BackendKind, resolveTestBackend, type TestBackend } from './resolve-backend.js';
