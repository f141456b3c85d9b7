package dev.attn4j.api.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of {@link AttentionBackendProvider#probe()}: available with the devices found, or
 * unavailable with a cause in words (Netty's {@code isAvailable()} / {@code unavailabilityCause()})
 * and, where one was caught, the exception.
 */
public final class Availability {
    private final boolean available;
    private final String cause;
    private final Throwable error;
    private final List<DeviceInfo> devices;

    private Availability(boolean available, String cause, Throwable error, List<DeviceInfo> devices) {
        this.available = available;
        this.cause = cause;
        this.error = error;
        this.devices = List.copyOf(devices);
    }

    public static Availability available(List<DeviceInfo> devices) {
        return new Availability(true, null, null, devices);
    }

    public static Availability unavailable(String cause) {
        return new Availability(false, Objects.requireNonNull(cause, "cause"), null, List.of());
    }

    public static Availability unavailable(String cause, Throwable error) {
        return new Availability(false, Objects.requireNonNull(cause, "cause"), error, List.of());
    }

    public boolean isAvailable() {
        return available;
    }

    /** Why the backend cannot run; null when available. */
    public String unavailabilityCause() {
        return cause;
    }

    /** The exception behind the cause, if one was caught. */
    public Optional<Throwable> error() {
        return Optional.ofNullable(error);
    }

    /** Devices found (empty when unavailable). */
    public List<DeviceInfo> devices() {
        return devices;
    }

    @Override
    public String toString() {
        return available ? "available " + devices : "unavailable: " + cause;
    }
}
