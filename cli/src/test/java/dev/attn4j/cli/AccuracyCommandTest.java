package dev.attn4j.cli;

import dev.attn4j.conformance.accuracy.AccuracyData;
import dev.attn4j.conformance.accuracy.AccuracyReport;
import dev.attn4j.conformance.accuracy.GeneratedKv;
import dev.attn4j.conformance.accuracy.KvFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccuracyCommandTest {
    private static final Pattern ROW = Pattern.compile("\\{\"format\":\"([^\"]+)\".*?\"rel_l2\":([-0-9.eE]+).*?"
            + "\"backend\":(null|\\{\"rel_l2\":([-0-9.eE]+))");

    /** One row of the JSON: the format's own rel-L2 and the backend's, NaN where it did not run. */
    record JsonRow(String format, double relL2, double backendRelL2) {
    }

    @Test
    void everyFormatRunsOnCpuAndItsErrorIsTheFormatsPlusLittle() {
        long seed = System.nanoTime();
        CliRun r = CliRun.of("accuracy", "--backend", "cpu", "--model", "qwen2-7b", "--context", "300", "--queries", "3",
                "--seed", Long.toString(seed), "--json");
        assertEquals(0, r.exitCode(), r.transcript());
        List<JsonRow> rows = rows(r.out());
        assertEquals(KvFormat.all(128).size(), rows.size(), r.out());
        for (JsonRow row : rows) {
            assertTrue(Double.isFinite(row.backendRelL2()), "cpu ran " + row);
            // cpu's own arithmetic and its bf16 output rounding (rel ~2^-9) add little to the format's error.
            assertTrue(Math.abs(row.backendRelL2() - row.relL2()) <= 0.01 + 0.05 * row.relL2(), row + " seed " + seed);
        }
        assertTrue(r.out().contains("\"num_qo_heads\":28") && r.out().contains("\"backend\":\"cpu\""), r.out());
    }

    @Test
    void theTableNamesEveryFormatAndTheBackendColumns() {
        CliRun r = CliRun.of("accuracy", "--backend", "none", "--data", "large-keys", "--context", "64", "--queries", "2",
                "--formats", "int8/token,fp8-e4m3/tensor/1.0,bf16");
        assertEquals(0, r.exitCode(), r.transcript());
        assertTrue(r.out().startsWith("data large-keys: 64 tokens, 2 query rows, 32/8 heads, head dim 128"), r.out());
        for (String f : new String[] {"int8/token", "fp8-e4m3/tensor/1.0", "bf16", "rel-L2", "KL", "vs bf16"}) {
            assertTrue(r.out().contains(f), f + " in " + r.out());
        }
        assertFalse(r.out().contains("cpu rel-L2"), "--backend none runs no backend: " + r.out());
    }

    @Test
    void userFilesGiveTheSameReportAsTheSameDataInMemory(@TempDir Path dir) throws IOException {
        AccuracyData d = GeneratedKv.OUTLIER_KEYS.generate(8, 2, 64, 40, 3, System.nanoTime());
        int[] kv = {d.tokens(), d.numKvHeads(), d.headDim()};
        Path k = npy(dir.resolve("k.npy"), kv, d.keys(), true);
        Path v = npy(dir.resolve("v.npy"), kv, d.values(), false);
        Path q = npy(dir.resolve("q.npy"), new int[] {d.numQueries(), d.numQoHeads(), d.headDim()}, d.queries(), false);
        Path ck = npy(dir.resolve("ck.npy"), new int[] {4 * d.tokens(), d.numKvHeads(), d.headDim()}, d.calibrationKeys(), true);
        Path cv = npy(dir.resolve("cv.npy"), new int[] {4 * d.tokens(), d.numKvHeads(), d.headDim()}, d.calibrationValues(), false);
        CliRun r = CliRun.of("accuracy", "--backend", "none", "--keys", k.toString(), "--values", v.toString(),
                "--queries-file", q.toString(), "--calibration-keys", ck.toString(), "--calibration-values", cv.toString(),
                "--formats", "int8/channel/absmax,fp8-e5m2/token,int8/head/p99.9", "--json");
        assertEquals(0, r.exitCode(), r.transcript());
        AccuracyReport expected = AccuracyReport.run(d, List.of(KvFormat.parse("int8/channel/absmax"),
                KvFormat.parse("fp8-e5m2/token"), KvFormat.parse("int8/head/p99.9")), null);
        List<JsonRow> got = rows(r.out());
        assertEquals(3, got.size(), r.out());
        for (int i = 0; i < 3; i++) {
            AccuracyReport.Row e = expected.rows().get(i);
            assertEquals(e.kvFormat().id(), got.get(i).format());
            // float64 keys are written as float64, the rest as float32: the queries are bf16 and V rounds to bf16 anyway.
            assertEquals(e.format().relL2(), got.get(i).relL2(), 1e-5 * e.format().relL2(), r.out());
        }
    }

    @Test
    void badFilesAndMissingPartnersAreUsageErrorsNamingTheOption(@TempDir Path dir) throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.npy"), "not numpy");
        CliRun r = CliRun.of("accuracy", "--keys", junk.toString(), "--values", junk.toString(), "--queries-file", junk.toString());
        assertEquals(2, r.exitCode(), r.transcript());
        assertTrue(r.err().contains("--keys") && r.err().contains("not a .npy file"), r.transcript());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.transcript());
        CliRun alone = CliRun.of("accuracy", "--keys", junk.toString());
        assertEquals(2, alone.exitCode(), alone.transcript());
        assertTrue(alone.err().contains("--values"), alone.transcript());
        Path shaped = npy(dir.resolve("k2.npy"), new int[] {4, 128}, new double[512], false);
        CliRun rank = CliRun.of("accuracy", "--keys", shaped.toString(), "--values", shaped.toString(),
                "--queries-file", shaped.toString());
        assertEquals(2, rank.exitCode(), rank.transcript());
        assertTrue(rank.err().contains("3-d array"), rank.transcript());
        CliRun format = CliRun.of("accuracy", "--backend", "none", "--formats", "int9");
        assertEquals(2, format.exitCode(), format.transcript());
        assertTrue(format.err().contains("int9"), format.transcript());
    }

    static List<JsonRow> rows(String json) {
        List<JsonRow> rows = new ArrayList<>();
        Matcher m = ROW.matcher(json);
        while (m.find()) {
            rows.add(new JsonRow(m.group(1), Double.parseDouble(m.group(2)),
                    m.group(4) == null ? Double.NaN : Double.parseDouble(m.group(4))));
        }
        return rows;
    }

    /** Writes a version-1 .npy of float64 ({@code wide}) or float32, C order, as numpy.save does. */
    static Path npy(Path file, int[] shape, double[] data, boolean wide) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (int n : shape) {
            dims.append(n).append(", ");
        }
        String header = "{'descr': '" + (wide ? "<f8" : "<f4") + "', 'fortran_order': False, 'shape': (" + dims.toString().trim()
                + "), }";
        int pad = 64 - (10 + header.length() + 1) % 64;
        header = header + " ".repeat(pad % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length * (wide ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (double x : data) {
            if (wide) {
                b.putDouble(x);
            } else {
                b.putFloat((float) x);
            }
        }
        return Files.write(file, b.array());
    }
}
