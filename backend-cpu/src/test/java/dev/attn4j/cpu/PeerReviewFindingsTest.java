package dev.attn4j.cpu;

import dev.attn4j.api.KvCacheSpec;
import dev.attn4j.conformance.CaseData;
import dev.attn4j.conformance.CaseResult;
import dev.attn4j.conformance.ConformanceCase;
import dev.attn4j.conformance.ConformanceSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bugs peer kernels' reviews found must be caught by the conformance suite: a backend with
 * each bug fails every case the bug affects, and the correct cpu backend passes them all. (Zero
 * or non-finite scales and per-head scale shapes are in {@code BadInputSuite}; group sizes 5
 * and 7 and block sizes 1..256 are in the matrix and pass in {@link CpuConformanceTest}.)
 */
class PeerReviewFindingsTest {
    private static CpuBackend cpu;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend(2, 64);
    }

    @AfterAll
    static void close() {
        cpu.close();
    }

    @ParameterizedTest
    @EnumSource(ScaleMutantBackend.Bug.class)
    void suiteCatchesTheBug(ScaleMutantBackend.Bug bug) {
        ScaleMutantBackend mutant = new ScaleMutantBackend(new CpuBackend(2, 64), bug);
        List<ConformanceCase> affected = ConformanceSuite.full().stream()
                .filter(c -> List.of("kv-scales", "group-size", "format").contains(c.tag()))
                .filter(c -> ScaleMutantBackend.bites(bug, spec(c), c.numQoHeads() / c.numKvHeads()))
                .collect(Collectors.toList());
        assertTrue(affected.size() >= 20, bug + " affects only " + affected.size() + " cases");
        long seed = ConformanceSuite.defaultSeed();
        for (int i = 0; i < affected.size(); i++) {
            ConformanceCase c = affected.get(i);
            CaseResult good = ConformanceSuite.runOne(cpu, c, seed + i);
            assertEquals(CaseResult.Status.PASSED, good.status(), good::toString);
            CaseResult bad = ConformanceSuite.runOne(mutant, c, seed + i);
            assertEquals(CaseResult.Status.FAILED, bad.status(), () -> bug + " not caught: " + bad);
        }
        mutant.close();
    }

    private static KvCacheSpec spec(ConformanceCase c) {
        return CaseData.generate(c, 0).spec;
    }
}
