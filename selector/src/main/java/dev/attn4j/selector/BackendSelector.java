package dev.attn4j.selector;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.CapabilityCheck;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.conformance.CaseResult;
import dev.attn4j.conformance.CaseRunner;
import dev.attn4j.conformance.ConformanceCase;
import dev.attn4j.conformance.ConformanceSuite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Chooses the backend for a host's {@link Requirements} (vLLM's backend selector, with
 * validation):
 * <ol>
 *   <li>providers: registered in code, plus {@link java.util.ServiceLoader}; a provider that fails to
 *       load or was built against another SPI version is reported and skipped; duplicate names fail;
 *   <li>order: explicit ({@link BackendOrder}: code, {@code -Dattn4j.backend}, {@code ATTN4J_BACKEND};
 *       unknown names fail listing the valid ones), else priority, highest first;
 *   <li>per candidate: probe (cached, never throws; kill switch honoured) → capability check (all
 *       reasons) → open → validation (the conformance cases of exactly these requirements against
 *       the float64 reference) → chosen. A failure is recorded and the next candidate tried;
 *   <li>an explicit list that fails entirely is an error with every reason, unless
 *       {@link Builder#allowFallback fallback} was asked for, in which case the remaining
 *       providers are tried by priority.
 * </ol>
 * The report is logged as one INFO line.
 */
public final class BackendSelector {
    private static final Logger LOG = LoggerFactory.getLogger(BackendSelector.class);

    private final ProviderRegistry registry;
    private final List<String> explicit;
    private final boolean allowFallback;
    private final boolean validate;
    private final BackendOptions options;
    private final Map<String, String> env;
    private final String property;

    private BackendSelector(Builder b) {
        this.registry = ProviderRegistry.of(b.providers, b.discover, b.loader);
        this.explicit = List.copyOf(b.explicit);
        this.allowFallback = b.allowFallback;
        this.validate = b.validate;
        this.options = b.options;
        this.env = b.env;
        this.property = b.property;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The providers this selector chooses from, by name. */
    public Map<String, AttentionBackendProvider> providers() {
        return registry.byName();
    }

    /**
     * The providers found that cannot be used: a class that failed to load or construct
     * ({@link Outcome#LOAD_FAILED}) or one built against another SPI version ({@link Outcome#INCOMPATIBLE}).
     * Every selection report lists them too.
     */
    public List<CandidateReport> rejected() {
        return registry.rejected();
    }

    /** The candidate order in effect. */
    public BackendOrder order() {
        BackendOrder order = BackendOrder.resolve(explicit, property, env);
        order.checkKnown(registry.byName().keySet(), registry.rejected());
        return order;
    }

    /**
     * Chooses, opens and validates a backend.
     *
     * @throws SelectionException if none could be chosen (the report says why for each)
     * @throws dev.attn4j.api.InvalidRequestException if an explicit name is unknown
     */
    public Selection select(Requirements requirements) {
        long t0 = System.nanoTime();
        BackendOrder order = order();
        List<AttentionBackendProvider> byPriority = registry.byName().values().stream()
                .sorted(Comparator.comparingInt(AttentionBackendProvider::priority).reversed()
                        .thenComparing(AttentionBackendProvider::name))
                .collect(Collectors.toList());
        Set<String> sequence = new LinkedHashSet<>(order.names());
        if (!order.explicit() || allowFallback) {
            byPriority.forEach(p -> sequence.add(p.name()));
        }
        List<CandidateReport> lines = new ArrayList<>();
        AttentionBackend chosen = null;
        for (String name : sequence) {
            AttentionBackendProvider p = registry.byName().get(name);
            if (chosen != null) {
                lines.add(new CandidateReport(name, p.priority(), ProviderRegistry.source(p), Outcome.NOT_TRIED, "", 0));
                continue;
            }
            Attempt a = attempt(p, requirements);
            lines.add(a.line);
            chosen = a.backend;
        }
        for (AttentionBackendProvider p : byPriority) {
            if (!sequence.contains(p.name())) {
                lines.add(new CandidateReport(p.name(), p.priority(), ProviderRegistry.source(p), Outcome.NOT_TRIED,
                        "not in the explicit list", 0));
            }
        }
        lines.addAll(registry.rejected());
        SelectionReport report = new SelectionReport(requirements.toString(),
                order.source() + (order.explicit() && allowFallback ? ", then priority (fallback)" : ""),
                lines, chosen == null ? null : chosen.name(), System.nanoTime() - t0);
        LOG.info(report.logLine());
        if (chosen == null) {
            throw new SelectionException(order.explicit() && !allowFallback
                    ? "no backend named in " + order.source() + " could be used, and fallback was not asked for"
                    : "no attn4j backend can serve these requirements", report);
        }
        return new Selection(chosen, report);
    }

    private record Attempt(CandidateReport line, AttentionBackend backend) {
    }

    private Attempt attempt(AttentionBackendProvider p, Requirements r) {
        long t0 = System.nanoTime();
        String src = ProviderRegistry.source(p);
        Availability a = ProbeCache.probe(p);
        if (!a.isAvailable()) {
            return fail(p, src, Outcome.UNAVAILABLE, a.unavailabilityCause(), t0);
        }
        CapabilityCheck check;
        try {
            check = p.capabilities().check(r);
        } catch (RuntimeException e) {
            return fail(p, src, Outcome.UNSUPPORTED, "capabilities threw " + e, t0);
        }
        if (!check.supported()) {
            return fail(p, src, Outcome.UNSUPPORTED, String.join("; ", check.reasons()), t0);
        }
        AttentionBackend b;
        try {
            b = p.open(options);
        } catch (RuntimeException | LinkageError e) {
            return fail(p, src, Outcome.OPEN_FAILED, e.toString(), t0);
        }
        CapabilityCheck opened = b.check(r);
        if (!opened.supported()) {
            b.close();
            return fail(p, src, Outcome.UNSUPPORTED, String.join("; ", opened.reasons()), t0);
        }
        if (validate) {
            String problem = validationProblem(b, r);
            if (problem != null) {
                closeQuietly(b);
                return fail(p, src, Outcome.VALIDATION_FAILED, problem, t0);
            }
        }
        String how = validate ? "validated " + ConformanceSuite.forRequirements(r).size() + " cases" : "not validated";
        return new Attempt(new CandidateReport(p.name(), p.priority(), src, Outcome.CHOSEN, how,
                System.nanoTime() - t0), b);
    }

    /** Runs the conformance cases of exactly these requirements; null when all pass. */
    static String validationProblem(AttentionBackend b, Requirements r) {
        long seed = ConformanceSuite.defaultSeed();
        List<ConformanceCase> cases = ConformanceSuite.forRequirements(r);
        for (int i = 0; i < cases.size(); i++) {
            CaseResult res;
            try {
                res = CaseRunner.run(b, cases.get(i), seed + i);
            } catch (RuntimeException e) {
                return cases.get(i).op() + " threw " + e;
            }
            if (!res.passed()) {
                return res.status() + " on " + cases.get(i).op() + ": " + res.detail() + " (seed " + res.seed() + ")";
            }
        }
        return null;
    }

    private static Attempt fail(AttentionBackendProvider p, String src, Outcome o, String why, long t0) {
        return new Attempt(new CandidateReport(p.name(), p.priority(), src, o, why, System.nanoTime() - t0), null);
    }

    private static void closeQuietly(AttentionBackend b) {
        try {
            b.close();
        } catch (RuntimeException e) {
            LOG.debug("closing {} after failed validation threw", b.name(), e);
        }
    }

    /** Builder; defaults: ServiceLoader discovery, priority order, no fallback, validation on. */
    public static final class Builder {
        private final List<AttentionBackendProvider> providers = new ArrayList<>();
        private boolean discover = true;
        private ClassLoader loader = BackendSelector.class.getClassLoader();
        private List<String> explicit = List.of();
        private boolean allowFallback;
        private boolean validate = true;
        private BackendOptions options = BackendOptions.defaults();
        private Map<String, String> env = System.getenv();
        private String property = System.getProperty(BackendOrder.PROPERTY);

        private Builder() {
        }

        /** Adds providers registered in code (before discovered ones). */
        public Builder register(AttentionBackendProvider... ps) {
            providers.addAll(List.of(ps));
            return this;
        }

        public Builder register(java.util.Collection<? extends AttentionBackendProvider> ps) {
            providers.addAll(ps);
            return this;
        }

        /** Whether to add the providers ServiceLoader finds (default true). */
        public Builder discover(boolean v) {
            discover = v;
            return this;
        }

        /**
         * The class loader {@code ServiceLoader} searches (default: the selector's own, as SLF4J 2
         * does, not the thread's context loader, which in containers often sees other copies of
         * the api). In an OSGi framework with the Service Loader Mediator, providers in other
         * bundles are found through it as well.
         */
        public Builder classLoader(ClassLoader v) {
            loader = v;
            return this;
        }

        /** An explicit order, e.g. {@code "cuda", "cpu"}; overrides the property and the environment. */
        public Builder order(String... names) {
            explicit = List.of(names);
            return this;
        }

        /** After an explicit list fails, try the other providers by priority (default false). */
        public Builder allowFallback(boolean v) {
            allowFallback = v;
            return this;
        }

        /** Whether to validate the chosen backend against the reference (default true). */
        public Builder validate(boolean v) {
            validate = v;
            return this;
        }

        public Builder options(BackendOptions v) {
            options = v;
            return this;
        }

        /** The environment to read {@code ATTN4J_BACKEND} from (default: the process's). */
        public Builder environment(Map<String, String> v) {
            env = Map.copyOf(v);
            return this;
        }

        /** The value of {@code attn4j.backend} to use (default: the system property, read now). */
        public Builder backendProperty(String v) {
            property = v;
            return this;
        }

        public BackendSelector build() {
            return new BackendSelector(this);
        }
    }
}
