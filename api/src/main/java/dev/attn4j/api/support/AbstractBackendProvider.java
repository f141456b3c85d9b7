package dev.attn4j.api.support;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.BackendUnavailableException;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.DeviceInfo;
import dev.attn4j.api.spi.KillSwitch;

import java.util.Optional;

/**
 * What every provider does the same way, written once: its name, priority and capabilities; the
 * kill switch checked before any probe; and open as "probe with the same options, refuse with the
 * probe's cause, pick the device the options name, open it". A provider supplies the probe of its
 * devices and how to open one. The SPI version is passed in as {@code SPI_VERSION}, a compile-time
 * constant, so it is the version the provider was compiled against, not this base class's.
 */
public abstract class AbstractBackendProvider implements AttentionBackendProvider {
    private final int spiVersion;
    private final int priority;
    private final Capabilities capabilities;

    /**
     * A provider named as its capabilities say ({@link Capabilities#backend()}).
     *
     * @param spiVersion always {@code SPI_VERSION}, written in the provider's own source
     */
    protected AbstractBackendProvider(int spiVersion, int priority, Capabilities capabilities) {
        this.spiVersion = spiVersion;
        this.priority = priority;
        this.capabilities = capabilities;
    }

    @Override
    public final int spiVersion() {
        return spiVersion;
    }

    @Override
    public final String name() {
        return capabilities.backend();
    }

    @Override
    public final int priority() {
        return priority;
    }

    @Override
    public final Capabilities capabilities() {
        return capabilities;
    }

    /** The kill switch, then {@link #probeDevices}. */
    @Override
    public final Availability probe(BackendOptions options) {
        Optional<String> disabled = KillSwitch.cause(name());
        if (disabled.isPresent()) {
            return Availability.unavailable(disabled.get());
        }
        return probeDevices(options == null ? BackendOptions.defaults() : options);
    }

    /**
     * Opens the usable device {@code options.deviceIndex()} names.
     *
     * @throws BackendUnavailableException with the probe's cause, or naming the usable devices
     */
    @Override
    public final AttentionBackend open(BackendOptions options) {
        BackendOptions o = options == null ? BackendOptions.defaults() : options;
        Availability a = probe(o);
        if (!a.isAvailable()) {
            throw new BackendUnavailableException(name(), a.unavailabilityCause(), a.error().orElse(null));
        }
        int index = o.deviceIndex();
        DeviceInfo device = a.devices().stream().filter(d -> d.index() == index).findFirst()
                .orElseThrow(() -> new BackendUnavailableException(name(), "deviceIndex=" + index
                        + " is not a usable device; usable: " + a.devices()));
        return openDevice(o, device);
    }

    /** Whether the backend can run here, on which devices (the kill switch is already checked); never throws. */
    protected abstract Availability probeDevices(BackendOptions options);

    /** Opens {@code device}, one the probe with these options accepted. */
    protected abstract AttentionBackend openDevice(BackendOptions options, DeviceInfo device);
}
