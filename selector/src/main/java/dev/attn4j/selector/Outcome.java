package dev.attn4j.selector;

/**
 * What became of one candidate during selection, in the order the steps run: discovery (the first
 * two), then probe, capability check, open, validation.
 */
public enum Outcome {
    /**
     * Its class, listed in a {@code META-INF/services} file or a module's {@code provides}, could not
     * be loaded or constructed ({@code ServiceConfigurationError}, {@code LinkageError}): a broken or
     * mismatched jar. The line is named after the class and says which jar listed it.
     */
    LOAD_FAILED,
    /** Built against another version of the provider SPI ({@code AttentionBackendProvider.SPI_VERSION}). */
    INCOMPATIBLE,
    /** Not reached: an earlier candidate was chosen, or it was not in the explicit list. */
    NOT_TRIED,
    /** Its probe reported a cause (library, driver or device missing, kill switch, probe threw). */
    UNAVAILABLE,
    /** Its capabilities do not cover the requirements. */
    UNSUPPORTED,
    /** {@code open} threw. */
    OPEN_FAILED,
    /** It computed numbers that do not match the reference, or threw while validating. */
    VALIDATION_FAILED,
    /** Chosen. */
    CHOSEN,
    /** Chosen, then a device fault marked it failed; every later call fails fast. */
    FAILED_AT_RUN_TIME
}
