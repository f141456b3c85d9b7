/**
 * The conformance kit (a TCK) every backend runs: a float64 reference
 * ({@link dev.attn4j.conformance.ReferenceAttention}, {@link dev.attn4j.conformance.ReferenceQuantizer},
 * {@link dev.attn4j.conformance.ReferenceFormats}), a seeded case generator
 * ({@link dev.attn4j.conformance.CaseData}), the runner that poisons, runs and compares
 * ({@link dev.attn4j.conformance.CaseRunner}), the case matrix ({@link dev.attn4j.conformance.ConformanceSuite})
 * and the bad-input checks ({@link dev.attn4j.conformance.BadInputSuite}). Tolerances and their
 * reasons are in {@link dev.attn4j.conformance.Tolerances}.
 */
package dev.attn4j.conformance;
