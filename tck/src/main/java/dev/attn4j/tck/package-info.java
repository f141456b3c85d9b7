/**
 * The backend TCK. A backend's conformance test is a subclass of {@link dev.attn4j.tck.BackendTck}
 * that names its provider (and, where it needs them, its options, its kernel families and how an
 * absent device is treated); {@link dev.attn4j.tck.TckTests} builds the same tests for code that
 * finds its backends at run time, such as the integration tests' backend matrix.
 */
package dev.attn4j.tck;
