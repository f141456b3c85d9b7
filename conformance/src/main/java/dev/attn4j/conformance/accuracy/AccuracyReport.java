package dev.attn4j.conformance.accuracy;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Attn4jException;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvScales;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.conformance.ReferenceAttention;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What each KV format costs attention on given data: for every format, the attention over the values
 * its cache would hold (computed in float64, so it is the format's own error) compared with float64
 * attention over the unquantized K and V (output rel-L2, max error, LSE error, the attention weights'
 * KL divergence) and with 16-bit (bf16) K and V; and, where a backend is given, that backend's own
 * decode over the format, compared with float64, which adds its arithmetic on top.
 */
public final class AccuracyReport {
    /** Block size of the caches a backend runs the formats in. */
    public static final int BLOCK_SIZE = 16;
    private final AccuracyData data;
    private final String backend;
    private final List<Row> rows;

    /**
     * One format's figures.
     *
     * @param bytesPerToken   K and V bytes of one token in one layer, scales included
     * @param format          the format's own error against float64 over the unquantized K/V
     * @param formatVsBf16    the format's error against float64 attention over bf16 K/V (what 8 bits
     *                        cost over a 16-bit cache)
     * @param backend         the backend's decode against float64, if one ran it
     * @param backendProblem  why the backend did not run it (unsupported, a fault), if it did not
     */
    public record Row(KvFormat kvFormat, long bytesPerToken, Metrics format, Metrics formatVsBf16,
                      Optional<Metrics> backend, Optional<String> backendProblem) {
    }

    private AccuracyReport(AccuracyData data, String backend, List<Row> rows) {
        this.data = data;
        this.backend = backend;
        this.rows = List.copyOf(rows);
    }

    /**
     * Runs the report.
     *
     * @param backend a backend to run every format on as well, or {@code null} for the formats alone
     */
    public static AccuracyReport run(AccuracyData data, List<KvFormat> formats, AttentionBackend backend) {
        InvalidRequestException.requireNonNull(data, "data");
        if (formats == null || formats.isEmpty()) {
            throw new InvalidRequestException("formats", formats, "at least one format");
        }
        Reference exact = new Reference(data, data.keys(), data.values());
        KvFormat bf16 = new KvFormat(KvDType.BF16, ScaleGranularity.NONE, null);
        Reference half = stored(data, bf16, KvScales.none());
        List<Row> rows = new ArrayList<>();
        for (KvFormat f : formats) {
            KvScales scales = f.scalesFor(data);
            Reference r = stored(data, f, scales);
            Metrics own = Metrics.between(r.out, r.lse, exact.out, exact.lse, exact.meanKl(r));
            Metrics vsHalf = Metrics.between(r.out, r.lse, half.out, half.lse, half.meanKl(r));
            Optional<Metrics> ran = Optional.empty();
            Optional<String> problem = Optional.empty();
            if (backend != null) {
                try {
                    BackendRun.Result b = BackendRun.run(backend, f, scales, data);
                    ran = Optional.of(Metrics.between(b.out(), b.lse(), exact.out, exact.lse, Double.NaN));
                } catch (Attn4jException e) {
                    problem = Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            rows.add(new Row(f, f.bytesPerToken(data.numKvHeads(), data.headDim()), own, vsHalf, ran, problem));
        }
        return new AccuracyReport(data, backend == null ? null : backend.name(), rows);
    }

    private static Reference stored(AccuracyData data, KvFormat f, KvScales scales) {
        double[] k = StoredValues.of(f, data.keys(), data.numKvHeads(), data.headDim(), scales.k());
        double[] v = StoredValues.of(f, data.values(), data.numKvHeads(), data.headDim(), scales.v());
        return new Reference(data, k, v);
    }

    public AccuracyData data() {
        return data;
    }

    /** The backend's name, if one ran the formats. */
    public Optional<String> backend() {
        return Optional.ofNullable(backend);
    }

    public List<Row> rows() {
        return rows;
    }

    /** The row of a format, by its {@link KvFormat#id()}. */
    public Row row(String formatId) {
        for (Row r : rows) {
            if (r.kvFormat().id().equals(formatId)) {
                return r;
            }
        }
        throw new IllegalArgumentException("no row " + formatId);
    }

    /** Float64 attention over given K/V values, with the logits kept for the KL divergence. */
    private static final class Reference {
        final AccuracyData data;
        final double[] keys;
        final double[] out;
        final double[] lse;

        Reference(AccuracyData data, double[] keys, double[] values) {
            this.data = data;
            this.keys = keys;
            int n = data.numQueries();
            int[] qLens = new int[n];
            int[] kvLens = new int[n];
            double[][] k = new double[n][];
            double[][] v = new double[n][];
            for (int i = 0; i < n; i++) {
                qLens[i] = 1;
                kvLens[i] = data.tokens();
                k[i] = keys;
                v[i] = values;
            }
            ReferenceAttention.Result r = ReferenceAttention.run(qLens, kvLens, data.queries(), k, v,
                    data.numQoHeads(), data.numKvHeads(), data.headDim(), 1 / Math.sqrt(data.headDim()), false, 0, 0);
            this.out = r.out();
            this.lse = r.lse();
        }

        /**
         * Mean over rows of {@code KL(p || p_other)}, where a row's weights are
         * {@code exp(logit - lse)}: both references' LSEs are exact, so only the logits are recomputed.
         */
        double meanKl(Reference other) {
            int rowsCount = data.numQueries() * data.numQoHeads();
            int group = data.numQoHeads() / data.numKvHeads();
            int d = data.headDim();
            int h = data.numKvHeads();
            double scale = 1 / Math.sqrt(d);
            double[] q = data.queries();
            double total = java.util.stream.IntStream.range(0, rowsCount).parallel().mapToDouble(row -> {
                int kvh = (row % data.numQoHeads()) / group;
                double kl = 0;
                for (int t = 0; t < data.tokens(); t++) {
                    int ko = (t * h + kvh) * d;
                    double a = 0;
                    double b = 0;
                    for (int c = 0; c < d; c++) {
                        a += q[row * d + c] * keys[ko + c];
                        b += q[row * d + c] * other.keys[ko + c];
                    }
                    double logP = a * scale - lse[row];
                    double logQ = b * scale - other.lse[row];
                    kl += Math.exp(logP) * (logP - logQ);
                }
                return Math.max(kl, 0);
            }).sum();
            return total / rowsCount;
        }
    }
}
