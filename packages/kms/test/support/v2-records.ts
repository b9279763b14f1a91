import { readFileSync } from 'node:fs';
import { Task } from '@a2a-js/sdk';
import type { Scope } from '@a2a-stores/core';

/**
 * Task records as the per-field format (format v2: one envelope per sealed field, in
 * placeholders) stored them, written by that release's sealer over a memory store: see the
 * fixture's comment. Readers, rotation and re-wrap must keep accepting them.
 */
interface V2Fixture {
  readonly masterKey: string;
  readonly scope: Scope;
  readonly plain: unknown;
  readonly allFields: unknown;
  readonly historyAndArtifacts: unknown;
}

const fixture = JSON.parse(
  readFileSync(new URL('./v2-task-records.json', import.meta.url), 'utf8'),
) as V2Fixture;

/** The LocalAesKeyring master key (bytes 0..31) the fixture's data keys are wrapped under. */
export const V2_MASTER_KEY = fixture.masterKey;
export const V2_SCOPE: Scope = fixture.scope;
/** The task as the user saved it. */
export const v2Plain = (): Task => Task.fromJSON(fixture.plain);
/** Stored with every field sealed (history, artifacts, metadata, status message). */
export const v2AllFields = (): Task => Task.fromJSON(fixture.allFields);
/** Stored with history and artifacts sealed, metadata and status message in clear. */
export const v2HistoryAndArtifacts = (): Task => Task.fromJSON(fixture.historyAndArtifacts);
