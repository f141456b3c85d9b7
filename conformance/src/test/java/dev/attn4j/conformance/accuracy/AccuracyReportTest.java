package dev.attn4j.conformance.accuracy;

import dev.attn4j.api.InvalidRequestException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the report's numbers must show, on every generated case (a GQA shape, fresh seeds): what
 * users choose formats by. Each claim is one users rely on and the docs' advice states.
 */
class AccuracyReportTest {
    /**
     * Independent draws of every generated case. A claim about error sizes must hold in most of
     * them: on one small draw of outlier data the closest claims land the wrong way now and then
     * (150 fresh seeds of one draw each failed 6 runs of this class, e.g. e4m3 at 1.0 above e5m2's
     * error by more than 5 % on outlier-keys), so a claim judged on one draw fails CI by chance.
     */
    private static final int DRAWS = 5;
    private static final List<Map<GeneratedKv, AccuracyReport>> REPORTS = new ArrayList<>();
    /**
     * This run's data seed (draw i uses seed + i), named in every failure so that a failing run can
     * be generated again ({@code -Dattn4j.accuracy.seed=S}).
     */
    private static long seed;

    @BeforeAll
    static void run() {
        seed = Long.getLong("attn4j.accuracy.seed", System.nanoTime());
        for (int i = 0; i < DRAWS; i++) {
            Map<GeneratedKv, AccuracyReport> draw = new EnumMap<>(GeneratedKv.class);
            for (GeneratedKv g : GeneratedKv.values()) {
                draw.put(g, AccuracyReport.run(g.generate(16, 4, 128, 512, 4, seed + i), KvFormat.all(128), null));
            }
            REPORTS.add(draw);
        }
    }

    @Test
    void moreMantissaBitsNeverLoseWhereTheRangeIsTheSame() {
        for (GeneratedKv g : GeneratedKv.values()) {
            inMostDraws(g, notWorse("fp16", "bf16"));
            for (KvFormat f : KvFormat.all(128)) {
                if (!f.id().startsWith("fp8-e4m3/")) {
                    continue;
                }
                // At scale 1.0 the two fp8 formats have different ranges (448 and 57344): large-keys
                // saturates e4m3 there, which is range, not mantissa. Calibrated and dynamic scales put
                // both at their own maximum, so only the mantissa differs.
                if ("1.0".equals(f.scales()) && g == GeneratedKv.LARGE_KEYS) {
                    continue;
                }
                inMostDraws(g, notWorse(f.id(), f.id().replace("fp8-e4m3/", "fp8-e5m2/")));
            }
        }
    }

    @Test
    void calibratedScalesBeatScaleOneOnOutlierData() {
        for (GeneratedKv g : List.of(GeneratedKv.OUTLIER_KEYS, GeneratedKv.LARGE_KEYS)) {
            for (String gran : List.of("tensor", "head", "channel")) {
                // int8 at scale 1.0 rounds every small value to zero (V here is N(0, 0.05^2)).
                inMostDraws(g, better("int8/" + gran + "/absmax", "int8/" + gran + "/1.0", 2));
                inMostDraws(g, better("int8/" + gran + "/p99.9", "int8/" + gran + "/1.0", 2));
            }
        }
        // fp8 e4m3 at scale 1.0 saturates keys beyond 448.
        for (String gran : List.of("tensor", "head", "channel")) {
            inMostDraws(GeneratedKv.LARGE_KEYS, better("fp8-e4m3/" + gran + "/absmax", "fp8-e4m3/" + gran + "/1.0", 2));
        }
    }

    @Test
    void perChannelKeyScalesBeatPerTensorWhereChannelsAreOutliers() {
        for (GeneratedKv g : List.of(GeneratedKv.OUTLIER_KEYS, GeneratedKv.LARGE_KEYS)) {
            // The attention weights depend on K alone, so their KL divergence is K's measure (the output's
            // error mixes in V's, which per-channel scales do not help here: V has no outlier channels).
            inMostDraws(g, r -> r.row("int8/channel/absmax").format().kl() * 2 < r.row("int8/tensor/absmax").format().kl()
                    ? null : r.row("int8/channel/absmax") + " vs " + r.row("int8/tensor/absmax"));
        }
    }

    @Test
    void sixteenBitKvIsTheFloorAndTheFiguresAreConsistent() {
        for (Map<GeneratedKv, AccuracyReport> draw : REPORTS) {
            for (Map.Entry<GeneratedKv, AccuracyReport> e : draw.entrySet()) {
                AccuracyReport r = e.getValue();
                AccuracyReport.Row bf16 = r.row("bf16");
                assertEquals(new Metrics(0, 0, 0, 0), bf16.formatVsBf16(), "bf16 against itself");
                // bf16 rounding alone: its output error stays in the low percent even where outlier keys make the outputs small.
                assertTrue(bf16.format().relL2() > 0 && bf16.format().relL2() < 0.05, e.getKey() + ": " + bf16);
                for (AccuracyReport.Row row : r.rows()) {
                    Metrics m = row.format();
                    assertTrue(m.relL2() >= 0 && m.maxErr() >= 0 && m.lseErr() >= 0 && m.kl() >= 0, row.toString());
                    assertTrue(row.backend().isEmpty() && row.backendProblem().isEmpty(), "no backend was given");
                }
                // Bytes: d128, 4 KV heads: 16-bit 2*4*256; int8/TOKEN adds a float per token, head and side.
                assertEquals(2048, bf16.bytesPerToken());
                assertEquals(1024, r.row("int8/tensor/absmax").bytesPerToken());
                assertEquals(1024 + 32, r.row("int8/token").bytesPerToken());
                assertEquals(1024 + 4 * 32, r.row("fp8-e4m3/token_group(32)").bytesPerToken());
            }
        }
        for (GeneratedKv g : GeneratedKv.values()) {
            for (KvFormat f : KvFormat.all(128)) {
                if (f.dtype().isQuantized() && !"1.0".equals(f.scales())) {
                    inMostDraws(g, r -> r.row(f.id()).format().relL2() > r.row("bf16").format().relL2()
                            ? null : "8-bit beyond bf16's error: " + r.row(f.id()) + " vs " + r.row("bf16"));
                }
            }
        }
    }

    @Test
    void sameSeedSameReportOtherSeedOtherData() {
        AccuracyData a = GeneratedKv.OUTLIER_KEYS.generate(4, 2, 64, 64, 2, 5);
        AccuracyData b = GeneratedKv.OUTLIER_KEYS.generate(4, 2, 64, 64, 2, 5);
        AccuracyData c = GeneratedKv.OUTLIER_KEYS.generate(4, 2, 64, 64, 2, 6);
        List<KvFormat> f = List.of(KvFormat.parse("int8/channel/p99.9"), KvFormat.parse("fp8-e5m2/token"));
        assertEquals(AccuracyReport.run(a, f, null).rows(), AccuracyReport.run(b, f, null).rows());
        assertNotEquals(AccuracyReport.run(a, f, null).rows(), AccuracyReport.run(c, f, null).rows());
    }

    @Test
    void badRequestsNameTheField() {
        AccuracyData d = GeneratedKv.GAUSSIAN.generate(4, 2, 64, 16, 1, 1);
        assertEquals("formats", assertThrows(InvalidRequestException.class,
                () -> AccuracyReport.run(d, List.of(), null)).field());
        assertEquals("format", assertThrows(InvalidRequestException.class, () -> KvFormat.parse("int8/token/x/y")).field());
        assertEquals("scales", assertThrows(InvalidRequestException.class, () -> KvFormat.parse("int8/token/absmax")).field());
        assertEquals("percentile", assertThrows(InvalidRequestException.class, () -> KvFormat.parse("int8/head/p1000")).field());
        assertEquals("scales", assertThrows(InvalidRequestException.class, () -> KvFormat.parse("int8/head/max")).field());
        assertEquals("data", assertThrows(InvalidRequestException.class, () -> GeneratedKv.parse("llama")).field());
        assertEquals("context", assertThrows(InvalidRequestException.class,
                () -> GeneratedKv.GAUSSIAN.generate(4, 2, 64, 0, 1, 1)).field());
        assertEquals("numQoHeads", assertThrows(InvalidRequestException.class,
                () -> GeneratedKv.GAUSSIAN.generate(3, 2, 64, 8, 1, 1)).field());
    }

    /**
     * {@code better} is not worse than {@code worse} beyond 5 %: where both saturate the same values
     * (p99.9 clipping), the clipping error is common to both and their rounding errors, of random
     * sign, can land either way on top of it.
     */
    private static Function<AccuracyReport, String> notWorse(String better, String worse) {
        return r -> {
            Metrics b = r.row(better).format();
            Metrics w = r.row(worse).format();
            return b.relL2() <= 1.05 * w.relL2() && b.kl() <= 1.05 * w.kl() ? null : better + " " + b + " vs " + worse + " " + w;
        };
    }

    /** {@code better}'s output rel-L2 is at least {@code factor} times lower than {@code worse}'s. */
    private static Function<AccuracyReport, String> better(String better, String worse, double factor) {
        return r -> {
            Metrics b = r.row(better).format();
            Metrics w = r.row(worse).format();
            return b.relL2() * factor < w.relL2() ? null : better + " " + b + " vs " + worse + " " + w + " (want " + factor + "x)";
        };
    }

    /** {@code failure} (null where the claim holds, else what failed) finds nothing in most draws of {@code g}. */
    private static void inMostDraws(GeneratedKv g, Function<AccuracyReport, String> failure) {
        List<String> failed = new ArrayList<>();
        for (Map<GeneratedKv, AccuracyReport> draw : REPORTS) {
            String f = failure.apply(draw.get(g));
            if (f != null) {
                failed.add(f);
            }
        }
        assertTrue(2 * failed.size() < DRAWS,
                g + " (seed " + seed + "): failed in " + failed.size() + " of " + DRAWS + " draws: " + failed);
    }
}
