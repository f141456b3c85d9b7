package dev.attn4j.selector;

import dev.attn4j.api.Attn4jException;
import dev.attn4j.api.spi.AttentionBackendProvider;

import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The providers selection chooses from: those registered in code plus, unless turned off, those
 * found by {@link ServiceLoader}, and the ones that cannot be used, each with its reason. As SLF4J
 * and the JUnit Platform do, a provider whose class fails to load or construct is reported and
 * skipped, and so is one built against another SPI version; the others are still found. Two usable
 * providers with one name are an error naming both classes and the jars they came from (SLF4J's
 * "multiple bindings", made fatal: a silent pick would make the choice depend on class-path order).
 */
public final class ProviderRegistry {
    /** Discovery gives up after this many errors (an iterator that never recovers). */
    private static final int MAX_ERRORS = 64;

    private final Map<String, AttentionBackendProvider> byName;
    private final Map<String, Integer> priorities;
    private final List<CandidateReport> rejected;

    private ProviderRegistry(Map<String, AttentionBackendProvider> byName, Map<String, Integer> priorities,
                             List<CandidateReport> rejected) {
        this.byName = byName;
        this.priorities = priorities;
        this.rejected = List.copyOf(rejected);
    }

    /** Code-registered providers first, then ServiceLoader's (if {@code discover}). */
    public static ProviderRegistry of(Collection<? extends AttentionBackendProvider> registered, boolean discover,
                                      ClassLoader loader) {
        List<AttentionBackendProvider> all = new ArrayList<>(registered);
        List<CandidateReport> rejected = new ArrayList<>();
        if (discover) {
            discover(loader, all, rejected);
        }
        Map<String, AttentionBackendProvider> byName = new LinkedHashMap<>();
        Map<String, Integer> priorities = new LinkedHashMap<>();
        for (AttentionBackendProvider p : all) {
            String name;
            int priority;
            try {
                name = p.name();
                priority = p.priority();
                int version = p.spiVersion();
                if (version != AttentionBackendProvider.SPI_VERSION) {
                    rejected.add(incompatible(p, name, "built against attn4j SPI version " + version
                            + ", but this attn4j-api has SPI version " + AttentionBackendProvider.SPI_VERSION
                            + ": use the backend's release for this attn4j version"));
                    continue;
                }
            } catch (AbstractMethodError e) {
                rejected.add(incompatible(p, p.getClass().getName(), "built against an attn4j-api older than SPI "
                        + "version " + AttentionBackendProvider.SPI_VERSION + " (" + e + ")"));
                continue;
            } catch (Throwable e) { // whatever a provider throws is its own outcome, never the selection's
                rejected.add(new CandidateReport(p.getClass().getName(), 0, source(p), Outcome.LOAD_FAILED,
                        "name(), priority() or spiVersion() threw " + ServiceFiles.messages(e), 0));
                continue;
            }
            AttentionBackendProvider prev = byName.get(name);
            if (prev != null && prev.getClass() != p.getClass()) {
                throw new Attn4jException("two backend providers are named '" + name + "': "
                        + source(prev) + " and " + source(p) + "; remove one of them from the class path");
            }
            if (prev == null) {
                byName.put(name, p);
                priorities.put(name, priority);
            }
        }
        return new ProviderRegistry(byName, priorities, rejected);
    }

    /**
     * Adds what {@code ServiceLoader} finds to {@code found}, and a {@link Outcome#LOAD_FAILED} line
     * for each provider it cannot load or construct. {@code ServiceLoader}'s iterator goes on to the
     * next provider after an error (its contract for {@code ServiceConfigurationError}; a
     * {@code LinkageError} while loading a class leaves it past that name too).
     */
    private static void discover(ClassLoader loader, List<AttentionBackendProvider> found,
                                 List<CandidateReport> rejected) {
        ServiceFiles files = ServiceFiles.read(loader);
        Set<String> accounted = new HashSet<>();
        Iterator<AttentionBackendProvider> it = ServiceLoader.load(AttentionBackendProvider.class, loader).iterator();
        for (int errors = 0; errors < MAX_ERRORS; ) {
            try {
                if (!it.hasNext()) {
                    return;
                }
                AttentionBackendProvider p = it.next();
                accounted.add(p.getClass().getName());
                found.add(p);
            } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
                errors++;
                String culprit = files.culprit(e, accounted);
                accounted.add(culprit);
                rejected.add(new CandidateReport(culprit, 0, culprit + " (" + files.jarOf(culprit) + ")",
                        Outcome.LOAD_FAILED, ServiceFiles.messages(e), 0));
            }
        }
    }

    private static CandidateReport incompatible(AttentionBackendProvider p, String name, String why) {
        return new CandidateReport(name, 0, source(p), Outcome.INCOMPATIBLE, why, 0);
    }

    /** Usable providers by name, in discovery order. */
    public Map<String, AttentionBackendProvider> byName() {
        return byName;
    }

    /** A usable provider's priority, read once at discovery. */
    public int priority(String name) {
        return priorities.get(name);
    }

    /** The providers that cannot be used ({@link Outcome#LOAD_FAILED}, {@link Outcome#INCOMPATIBLE}), with why. */
    public List<CandidateReport> rejected() {
        return rejected;
    }

    /** {@code class (jar)} of a provider. */
    public static String source(AttentionBackendProvider p) {
        String where;
        try {
            CodeSource cs = p.getClass().getProtectionDomain().getCodeSource();
            where = cs == null ? "unknown location" : Locations.describe(cs.getLocation());
        } catch (SecurityException e) {
            where = "unknown location";
        }
        return p.getClass().getName() + " (" + where + ")";
    }
}
