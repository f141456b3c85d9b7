package dev.attn4j.it;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.conformance.ConformanceSuite;
import dev.attn4j.selector.ProbeCache;
import dev.attn4j.tck.TckTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * The backend matrix: the full conformance suite and the bad-input suite on every backend present
 * on this machine (cpu always). A backend that is known but absent, or present but unavailable,
 * appears as a skipped test whose message is the cause: never silently left out. This module's
 * surefire configuration sets {@code attn4j.xpu.allowAnyOpenClDevice=true}, so xpu runs here on any
 * OpenCL device (PoCL on CI's CPU); without an OpenCL device it appears as unavailable, and fails
 * where scripts/setup.sh installed PoCL ({@code attn4j.xpu.strictTests}).
 */
class BackendMatrixTest {
    private static final Logger LOG = LoggerFactory.getLogger(BackendMatrixTest.class);
    /** Every backend attn4j ships, whether or not its module is on this class path. */
    static final List<String> KNOWN = List.of("cuda", "ilu", "xpu", "cpu");
    /** Set where scripts/setup.sh ran (the pom's xpu-setup-ran profile): xpu must run on PoCL there. */
    static final String XPU_STRICT = "attn4j.xpu.strictTests";
    private static final List<AttentionBackend> OPENED = new ArrayList<>();
    private static final long SEED = ConformanceSuite.defaultSeed();

    @AfterAll
    static void close() {
        OPENED.forEach(AttentionBackend::close);
    }

    @TestFactory
    Stream<DynamicNode> everyBackend() {
        Map<String, AttentionBackendProvider> found = new LinkedHashMap<>();
        ServiceLoader.load(AttentionBackendProvider.class).forEach(p -> found.put(p.name(), p));
        List<DynamicNode> nodes = new ArrayList<>();
        LOG.info("backend matrix, conformance seed {}:", SEED);
        for (String name : KNOWN) {
            if (!found.containsKey(name)) {
                LOG.info("  {}: module not on the class path", name);
                nodes.add(DynamicTest.dynamicTest(name + ": absent",
                        () -> Assumptions.abort(name + ": module attn4j-backend-" + name + " is not on the class path")));
            }
        }
        for (AttentionBackendProvider p : found.values()) {
            ProbeCache.clear();
            Availability a = ProbeCache.probe(p);
            if (!a.isAvailable()) {
                LOG.info("  {}: unavailable: {}", p.name(), a.unavailabilityCause());
                String why = p.name() + " unavailable: " + a.unavailabilityCause();
                boolean mustRun = p.name().equals("xpu") && Boolean.getBoolean(XPU_STRICT);
                nodes.add(DynamicTest.dynamicTest(p.name() + ": unavailable",
                        () -> {
                            if (mustRun) {
                                Assertions.fail(XPU_STRICT + "=true (scripts/setup.sh installed PoCL) but " + why);
                            }
                            Assumptions.abort(why);
                        }));
                continue;
            }
            LOG.info("  {}: available on {}", p.name(), a.devices());
            AttentionBackend b = p.open(BackendOptions.defaults());
            AttentionBackend other = p.open(BackendOptions.defaults());
            OPENED.add(b);
            OPENED.add(other);
            List<DynamicNode> tests = new ArrayList<>(TckTests.conformance(() -> b, ConformanceSuite.full(), SEED, () -> { }));
            tests.addAll(TckTests.badInput(() -> b, () -> other, () -> { }));
            nodes.add(DynamicContainer.dynamicContainer(p.name(), tests));
        }
        return nodes.stream();
    }
}
