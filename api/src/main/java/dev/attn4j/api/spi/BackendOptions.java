package dev.attn4j.api.spi;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How to open a backend: the device index, a thread count (cpu; 0 = one per available
 * processor) and free-form properties. {@link #property} looks in the properties given here first,
 * then in system properties, so {@code -Dattn4j.cpu.threads=4} works without code.
 */
public final class BackendOptions {
    private static final BackendOptions DEFAULTS = builder().build();
    private final int deviceIndex;
    private final int threads;
    private final Map<String, String> properties;

    private BackendOptions(Builder b) {
        this.deviceIndex = b.deviceIndex;
        this.threads = b.threads;
        this.properties = Map.copyOf(b.properties);
    }

    public static BackendOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int deviceIndex() {
        return deviceIndex;
    }

    /** Worker threads; 0 means the backend's default. */
    public int threads() {
        return threads;
    }

    /** A property from these options, else from the system properties. */
    public Optional<String> property(String key) {
        String v = properties.get(key);
        if (v == null) {
            v = System.getProperty(key);
        }
        return Optional.ofNullable(v);
    }

    public Map<String, String> properties() {
        return properties;
    }

    /** Integer property {@code key} (options, then system properties), {@code fallback} when unset. */
    public int intProperty(String key, int fallback, int min) {
        Optional<String> v = property(key);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.get().trim());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new dev.attn4j.api.InvalidRequestException(key, v.get(), "must be an integer >= " + min);
    }

    /** Boolean property {@code key} (options, then system properties): true only for "true". */
    public boolean flag(String key) {
        return Boolean.parseBoolean(property(key).orElse("false").trim());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BackendOptions b && b.deviceIndex == deviceIndex && b.threads == threads
                && b.properties.equals(properties);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(deviceIndex, threads, properties);
    }

    @Override
    public String toString() {
        return "BackendOptions[device=" + deviceIndex + ", threads=" + threads + ", properties=" + properties + "]";
    }

    /** Builder; defaults: device 0, default threads, no properties. */
    public static final class Builder {
        private int deviceIndex;
        private int threads;
        private final Map<String, String> properties = new HashMap<>();

        private Builder() {
        }

        public Builder deviceIndex(int v) {
            if (v < 0) {
                throw new dev.attn4j.api.InvalidRequestException("deviceIndex", v, "must be >= 0");
            }
            deviceIndex = v;
            return this;
        }

        public Builder threads(int v) {
            if (v < 0) {
                throw new dev.attn4j.api.InvalidRequestException("threads", v, "must be >= 0 (0 = default)");
            }
            threads = v;
            return this;
        }

        public Builder property(String key, String value) {
            properties.put(dev.attn4j.api.InvalidRequestException.requireNonNull(key, "property key"),
                    dev.attn4j.api.InvalidRequestException.requireNonNull(value, "property " + key));
            return this;
        }

        public BackendOptions build() {
            return new BackendOptions(this);
        }
    }
}
