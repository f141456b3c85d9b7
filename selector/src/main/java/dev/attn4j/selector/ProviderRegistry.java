package dev.attn4j.selector;

import dev.attn4j.api.Attn4jException;
import dev.attn4j.api.spi.AttentionBackendProvider;

import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The providers selection chooses from: those registered in code plus, unless turned off, those
 * found by {@link ServiceLoader}. Two providers with one name are an error naming both classes
 * and the jars they came from (SLF4J's "multiple bindings", made fatal: a silent pick would make
 * the choice depend on class-path order).
 */
public final class ProviderRegistry {
    private final Map<String, AttentionBackendProvider> byName;

    private ProviderRegistry(Map<String, AttentionBackendProvider> byName) {
        this.byName = byName;
    }

    /** Code-registered providers first, then ServiceLoader's (if {@code discover}). */
    public static ProviderRegistry of(Collection<? extends AttentionBackendProvider> registered, boolean discover,
                                      ClassLoader loader) {
        List<AttentionBackendProvider> all = new ArrayList<>(registered);
        if (discover) {
            try {
                ServiceLoader.load(AttentionBackendProvider.class, loader).forEach(all::add);
            } catch (ServiceConfigurationError e) {
                throw new Attn4jException("a backend provider could not be loaded: " + e.getMessage(), e);
            }
        }
        Map<String, AttentionBackendProvider> byName = new LinkedHashMap<>();
        for (AttentionBackendProvider p : all) {
            AttentionBackendProvider prev = byName.get(p.name());
            if (prev != null && prev.getClass() != p.getClass()) {
                throw new Attn4jException("two backend providers are named '" + p.name() + "': "
                        + source(prev) + " and " + source(p) + "; remove one of them from the class path");
            }
            if (prev == null) {
                byName.put(p.name(), p);
            }
        }
        return new ProviderRegistry(byName);
    }

    /** Providers by name, in discovery order. */
    public Map<String, AttentionBackendProvider> byName() {
        return byName;
    }

    /** {@code class (jar)} of a provider. */
    public static String source(AttentionBackendProvider p) {
        String where;
        try {
            CodeSource cs = p.getClass().getProtectionDomain().getCodeSource();
            where = cs == null || cs.getLocation() == null ? "unknown location" : cs.getLocation().getPath();
        } catch (SecurityException e) {
            where = "unknown location";
        }
        // A jar is named by its file name; a class directory (an IDE or reactor build) by its full path.
        int slash = where.lastIndexOf('/');
        boolean jar = where.endsWith(".jar") && slash >= 0;
        return p.getClass().getName() + " (" + (jar ? where.substring(slash + 1) : where) + ")";
    }
}
