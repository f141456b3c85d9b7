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

import java.time.Duration;
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
    private final Duration probeTimeout;
    private final Duration openTimeout;
    private final Map<String, String> env;
    private final String property;

    private BackendSelector(Builder b) {
        this.registry = ProviderRegistry.of(b.providers, b.discover, b.loader);
        this.explicit = List.copyOf(b.explicit);
        this.allowFallback = b.allowFallback;
        this.validate = b.validate;
        this.options = b.options;
        this.probeTimeout = b.probeTimeout;
        this.openTimeout = b.openTimeout;
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
        List<String> byPriority = byPriority();
        Set<String> sequence = sequence(order, byPriority);
        List<CandidateReport> lines = new ArrayList<>();
        AttentionBackend chosen = null;
        for (String name : sequence) {
            AttentionBackendProvider p = registry.byName().get(name);
            if (chosen != null) {
                lines.add(notTried(name, ""));
                continue;
            }
            Attempt a = attempt(name, p, requirements, options);
            lines.add(a.line);
            chosen = a.backend;
        }
        SelectionReport report = report(requirements, order, byPriority, sequence, lines,
                chosen == null ? null : chosen.name(), t0);
        if (chosen == null) {
            throw noneUsable(order, "", report);
        }
        return new Selection(chosen, report);
    }

    /**
     * One validated backend per usable device, for engines that split heads across devices
     * (tensor parallelism, one thread per device): the first provider in the selection order that
     * serves the requirements on at least one device is opened and validated on every device its
     * probe lists ({@link BackendOptions#deviceIndex()}; a provider that lists none is opened on the
     * options' device only). A device that fails any step is reported and left out, so the caller
     * sees how many it got; the providers after the chosen one are not tried. The report has one
     * line per device, named {@code provider#index}.
     *
     * @throws SelectionException if no provider could be used on any device
     */
    public MultiDeviceSelection selectAll(Requirements requirements) {
        long t0 = System.nanoTime();
        BackendOrder order = order();
        List<String> byPriority = byPriority();
        Set<String> sequence = sequence(order, byPriority);
        List<CandidateReport> lines = new ArrayList<>();
        List<AttentionBackend> chosen = new ArrayList<>();
        String chosenName = null;
        for (String name : sequence) {
            AttentionBackendProvider p = registry.byName().get(name);
            if (chosenName != null) {
                lines.add(notTried(name, ""));
                continue;
            }
            // One probe lists the devices; each device's attempt starts from it rather than probing again.
            Availability a = ProbeCache.probe(p, options, probeTimeout);
            if (!a.isAvailable()) {
                lines.add(attempt(name, name, p, requirements, options, a, System.nanoTime()).line);
                continue;
            }
            List<Integer> devices = a.devices().stream().map(d -> d.index()).collect(Collectors.toList());
            if (devices.isEmpty()) {
                devices = List.of(options.deviceIndex());
            }
            for (int device : devices) {
                Attempt at = attempt(name + "#" + device, name, p, requirements, onDevice(device), a, System.nanoTime());
                lines.add(at.line);
                if (at.backend != null) {
                    chosen.add(at.backend);
                    chosenName = name;
                }
            }
        }
        SelectionReport report = report(requirements, order, byPriority, sequence, lines, chosenName, t0);
        if (chosen.isEmpty()) {
            throw noneUsable(order, " on any device", report);
        }
        return new MultiDeviceSelection(chosen, report);
    }

    /** A candidate's report line when it was not tried, and why ("" after a chosen one). */
    private CandidateReport notTried(String name, String why) {
        return new CandidateReport(name, registry.priority(name), ProviderRegistry.source(registry.byName().get(name)),
                Outcome.NOT_TRIED, why, 0);
    }

    /** The failure of a selection that found nothing usable ({@code where}: "" or " on any device"). */
    private SelectionException noneUsable(BackendOrder order, String where, SelectionReport report) {
        return new SelectionException(order.explicit() && !allowFallback
                ? "no backend named in " + order.source() + " could be used" + where + ", and fallback was not asked for"
                : "no attn4j backend can serve these requirements" + where, report);
    }

    /** These options on another device. */
    private BackendOptions onDevice(int device) {
        BackendOptions.Builder b = BackendOptions.builder().deviceIndex(device).threads(options.threads());
        options.properties().forEach(b::property);
        return b.build();
    }

    /** Every provider, highest priority first (ties by name). */
    private List<String> byPriority() {
        return registry.byName().keySet().stream()
                .sorted(Comparator.comparingInt(registry::priority).reversed().thenComparing(n -> n))
                .collect(Collectors.toList());
    }

    /** The names to try, in order: the explicit ones, then (without an explicit order, or with fallback) the rest. */
    private Set<String> sequence(BackendOrder order, List<String> byPriority) {
        Set<String> sequence = new LinkedHashSet<>(order.names());
        if (!order.explicit() || allowFallback) {
            sequence.addAll(byPriority);
        }
        return sequence;
    }

    /** The report of a selection whose tried candidates are {@code lines}; logged once. */
    private SelectionReport report(Requirements requirements, BackendOrder order, List<String> byPriority,
                                   Set<String> sequence, List<CandidateReport> lines, String chosen, long t0) {
        for (String name : byPriority) {
            if (!sequence.contains(name)) {
                lines.add(notTried(name, "not in the explicit list"));
            }
        }
        lines.addAll(registry.rejected());
        SelectionReport report = new SelectionReport(requirements.toString(),
                order.source() + (order.explicit() && allowFallback ? ", then priority (fallback)" : ""),
                lines, chosen, System.nanoTime() - t0);
        LOG.info(report.logLine());
        return report;
    }

    private record Attempt(CandidateReport line, AttentionBackend backend) {
    }

    /**
     * One candidate: probe → capability check → open → check → validation. Whatever the provider or
     * its backend throws, errors too (an AssertionError, a StackOverflowError), is this candidate's
     * outcome, and a backend that was opened is closed unless it is chosen. Probe and open are
     * waited for at most {@link Builder#probeTimeout} and {@link Builder#openTimeout}.
     */
    private Attempt attempt(String name, AttentionBackendProvider p, Requirements r, BackendOptions options) {
        long t0 = System.nanoTime();
        return attempt(name, name, p, r, options, ProbeCache.probe(p, options, probeTimeout), t0);
    }

    /**
     * As above from a probe already made ({@code selectAll} probes once for the device list), reported
     * as {@code label} (a device's line: {@code name#index}); {@code t0} starts the line's time.
     */
    private Attempt attempt(String label, String name, AttentionBackendProvider p, Requirements r, BackendOptions options,
                            Availability a, long t0) {
        String src = ProviderRegistry.source(p);
        int priority = registry.priority(name);
        if (!a.isAvailable()) {
            return fail(label, priority, src, Outcome.UNAVAILABLE, a.unavailabilityCause(), t0);
        }
        CapabilityCheck check;
        try {
            check = p.capabilities().check(r);
        } catch (Throwable e) {
            return fail(label, priority, src, Outcome.UNSUPPORTED, "capabilities threw " + e, t0);
        }
        if (!check.supported()) {
            return fail(label, priority, src, Outcome.UNSUPPORTED, String.join("; ", check.reasons()), t0);
        }
        BoundedCall.Result<AttentionBackend> opened = BoundedCall.run("open-" + label, openTimeout,
                () -> p.open(options), BackendSelector::closeQuietly);
        if (opened.timedOut()) {
            return fail(label, priority, src, Outcome.OPEN_FAILED, "open did not return within "
                    + BoundedCall.describe(openTimeout) + "; it was left running, and what it opens will be closed", t0);
        }
        if (opened.failure() != null) {
            return fail(label, priority, src, Outcome.OPEN_FAILED, opened.failure().toString(), t0);
        }
        AttentionBackend b = opened.value();
        if (b == null) {
            return fail(label, priority, src, Outcome.OPEN_FAILED, "open returned null", t0);
        }
        String problem;
        Outcome outcome;
        long validationNanos = 0;
        try {
            CapabilityCheck again = b.check(r);
            outcome = again.supported() ? Outcome.VALIDATION_FAILED : Outcome.UNSUPPORTED;
            long v0 = System.nanoTime();
            problem = !again.supported() ? String.join("; ", again.reasons()) : validate ? validationProblem(b, r) : null;
            validationNanos = System.nanoTime() - v0;
        } catch (Throwable e) {
            outcome = Outcome.UNSUPPORTED;
            problem = "the opened backend's check threw " + e;
        }
        if (problem != null) {
            closeQuietly(b);
            return fail(label, priority, src, outcome, problem, t0);
        }
        // The validation's own time, apart from open's (a CUDA context and module load cost more).
        String how = validate ? String.format(java.util.Locale.ROOT, "validated %d cases (seed %d) in %.0f ms",
                ConformanceSuite.forRequirements(r).size(), ConformanceSuite.VALIDATION_SEED, validationNanos / 1e6)
                : "not validated";
        return new Attempt(new CandidateReport(label, priority, src, Outcome.CHOSEN, how, System.nanoTime() - t0), b);
    }

    /**
     * Runs the conformance cases of exactly these requirements ({@link ConformanceSuite#forRequirements}:
     * every kernel path the requirements reach) from the fixed {@link ConformanceSuite#VALIDATION_SEED};
     * null when all pass.
     */
    static String validationProblem(AttentionBackend b, Requirements r) {
        long seed = ConformanceSuite.VALIDATION_SEED;
        List<ConformanceCase> cases = ConformanceSuite.forRequirements(r);
        for (int i = 0; i < cases.size(); i++) {
            CaseResult res;
            try {
                res = CaseRunner.run(b, cases.get(i), seed + i);
            } catch (Throwable e) { // the backend's fault, whatever it is: it fails validation
                return cases.get(i).op() + " threw " + e;
            }
            if (!res.passed()) {
                return res.status() + " on " + cases.get(i).op() + ": " + res.detail() + " (seed " + res.seed() + ")";
            }
        }
        return null;
    }

    private static Attempt fail(String name, int priority, String src, Outcome o, String why, long t0) {
        return new Attempt(new CandidateReport(name, priority, src, o, why, System.nanoTime() - t0), null);
    }

    private static void closeQuietly(AttentionBackend b) {
        if (b == null) {
            return;
        }
        try {
            b.close();
        } catch (Throwable e) { // closing a backend that already failed its candidacy is best effort
            LOG.debug("closing a backend that was not chosen threw", e);
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
        private Duration probeTimeout = ProbeCache.DEFAULT_TIMEOUT;
        private Duration openTimeout = Duration.ofSeconds(300);
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

        /**
         * How long a provider's probe is waited for (default 60 s): a probe that hangs (a driver stuck
         * in its initialization) makes its candidate unavailable instead of hanging selection.
         */
        public Builder probeTimeout(Duration v) {
            probeTimeout = positive(v, "probeTimeout");
            return this;
        }

        /**
         * How long a provider's open is waited for (default 300 s: the first open of xpu on PoCL
         * compiles its kernels); one that does not return in time fails its candidate, and the
         * backend it returns later is closed.
         */
        public Builder openTimeout(Duration v) {
            openTimeout = positive(v, "openTimeout");
            return this;
        }

        private static Duration positive(Duration v, String field) {
            if (v == null || v.isNegative() || v.isZero()) {
                throw new dev.attn4j.api.InvalidRequestException(field, v, "must be a positive duration");
            }
            return v;
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
