package dev.attn4j.api.spi;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Capabilities;

/**
 * A backend module's entry point, found through {@link java.util.ServiceLoader} (or registered in
 * code). Implementations need a public no-argument constructor and must be cheap to construct:
 * nothing native is loaded until {@link #probe(BackendOptions)}.
 */
public interface AttentionBackendProvider {

    /**
     * The version of this SPI, raised whenever a change would break providers built against the
     * previous one. It is a compile-time constant, so the value a provider returns from
     * {@link #spiVersion()} is the one of the api it was compiled against, whatever api jar it
     * later runs with (SLF4J's {@code getRequestedApiVersion()} does the same).
     */
    int SPI_VERSION = 2;

    /**
     * The SPI version this provider was built against: implement it as {@code return SPI_VERSION;}.
     * Selection declines a provider whose version differs from the running api's, with a reason,
     * instead of letting it fail later with a {@code NoSuchMethodError}; a provider built before
     * this method existed is declined the same way.
     */
    int spiVersion();

    /** Unique, stable, lower-case name: {@code cpu}, {@code cuda}, {@code ilu}, {@code xpu}. */
    String name();

    /** Higher wins when no explicit order is given (GPU backends above cpu, which is 0). */
    int priority();

    /**
     * Whether the backend can run here with these options, and on which devices. Cheap, no lasting
     * side effects, never throws: a missing library, driver or device, or the kill switch
     * {@code attn4j.<name>.disabled=true} (see {@link KillSwitch}), is returned as the cause. It reads
     * the same settings as {@link #open} (options first, then system properties), so what the probe
     * accepts is what open opens. (SPI version 2; version 1 had a {@code probe()} without options.)
     */
    Availability probe(BackendOptions options);

    /** {@link #probe(BackendOptions)} with {@link BackendOptions#defaults()}. */
    default Availability probe() {
        return probe(BackendOptions.defaults());
    }

    /** What the backend implements; known without opening it. */
    Capabilities capabilities();

    /**
     * Opens the backend on the device the options name.
     *
     * @throws dev.attn4j.api.BackendUnavailableException if it cannot run here
     */
    AttentionBackend open(BackendOptions options);
}
