import type { SubjectRole } from './subject.js';

/** The two streams: artifact chunks appended to one artifact, and messages added to history. */
export const STREAM_VARIANTS = ['artifact chunks', 'history'] as const;
export type StreamVariant = (typeof STREAM_VARIANTS)[number];

/** How one kind of call (the save, or the load before it) grew over one stream. */
export interface StreamSeries {
  /** Calls timed (one per event). */
  readonly calls: number;
  /** Calls averaged at each end: a tenth of them (100 of 1,000), at least one. */
  readonly window: number;
  /** Mean µs of the first `window` calls. */
  readonly firstMeanUs: number;
  /** Mean µs of the last `window` calls. */
  readonly lastMeanUs: number;
  /** lastMeanUs / firstMeanUs: 1 = a call costs the same at the end as at the start. */
  readonly growth: number;
  /** Sum of all calls, seconds. */
  readonly totalSeconds: number;
}

/** One subject's stream: the save (headline) and the load the SDK does before it. */
export interface StreamSubjectResult {
  readonly name: string;
  readonly role: SubjectRole;
  readonly save: StreamSeries;
  readonly load: StreamSeries;
}

/** One stream variant on one backend, every streaming subject interleaved op by op. */
export interface StreamResult {
  readonly variant: StreamVariant;
  /** Events, i.e. load + save pairs, per subject. */
  readonly events: number;
  /** Characters of text each event adds (one part, or one message). */
  readonly partChars: number;
  readonly subjects: readonly StreamSubjectResult[];
}

/** The calls averaged at each end of a series of `calls`: a tenth, at least one. */
export function streamWindow(calls: number): number {
  return Math.max(1, Math.floor(calls / 10));
}

function meanUs(samplesNs: readonly bigint[]): number {
  return samplesNs.reduce((sum, ns) => sum + Number(ns), 0) / samplesNs.length / 1000;
}

/** The series statistics of latencies (ns) taken in stream order. */
export function summarizeStream(samplesNs: readonly bigint[]): StreamSeries {
  if (samplesNs.length === 0) throw new Error('summarizeStream: no samples');
  const window = streamWindow(samplesNs.length);
  const firstMeanUs = meanUs(samplesNs.slice(0, window));
  const lastMeanUs = meanUs(samplesNs.slice(-window));
  const totalNs = samplesNs.reduce((sum, ns) => sum + ns, 0n);
  return {
    calls: samplesNs.length,
    window,
    firstMeanUs,
    lastMeanUs,
    growth: lastMeanUs / firstMeanUs,
    totalSeconds: Number(totalNs) / 1e9,
  };
}

/**
 * How many times less total save time `subject` spent than the SDK store of the same stream
 * (above 1 = less); undefined without an SDK store.
 */
export function totalVsSdk(result: StreamResult, subject: StreamSubjectResult): number | undefined {
  const sdk = result.subjects.find((s) => s.role === 'sdk');
  return sdk ? sdk.save.totalSeconds / subject.save.totalSeconds : undefined;
}
