package dev.attn4j.cli;

import dev.attn4j.api.spi.KillSwitch;
import dev.attn4j.selector.BackendOrder;
import dev.attn4j.selector.ProbeCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each command end to end on the cpu backend, through picocli, with captured output. */
class CommandsTest {

    @AfterEach
    void clean() {
        System.clearProperty(BackendOrder.PROPERTY);
        System.clearProperty(KillSwitch.property("cpu"));
        ProbeCache.clear();
    }

    @Test
    void verifyQuickPassesEveryCase() {
        CliRun r = CliRun.of("verify", "--quick", "--seed", "7");
        assertEquals(0, r.exitCode(), r.transcript());
        int n = dev.attn4j.conformance.ConformanceSuite.quick().size();
        assertTrue(r.out().contains("cpu: " + n + " cases, " + n + " passed, 0 failed, 0 errors"), r.transcript());
        assertTrue(r.out().contains("seed 7"), r.transcript());
        assertTrue(r.out().contains("no failures"), r.transcript());
    }

    @Test
    void backendsJsonReportsCpuChosenWithItsDevice() {
        CliRun r = CliRun.of("backends", "--json");
        assertEquals(0, r.exitCode(), r.transcript());
        String json = r.out().trim();
        assertTrue(json.startsWith("{") && json.endsWith("}"), "stdout must be exactly one JSON object: " + json);
        assertTrue(json.contains("\"chosen\":\"cpu\""), json);
        assertTrue(json.contains("\"name\":\"cpu\",\"priority\":0,\"available\":true"), json);
        assertTrue(json.contains("\"processors\""), "the probe's device details: " + json);
    }

    @Test
    void backendsTableShowsReportAndDevices() {
        CliRun r = CliRun.of("backends");
        assertEquals(0, r.exitCode(), r.transcript());
        assertTrue(r.out().contains("chosen: cpu"), r.transcript());
        assertTrue(r.out().contains("devices (probe):"), r.transcript());
        assertTrue(Pattern.compile("(?m)^cpu\\s+yes\\s+#0 ").matcher(r.out()).find(), r.transcript());
    }

    @Test
    void unknownBackendFromPropertyExitsTwoNamingValidOnes() {
        System.setProperty(BackendOrder.PROPERTY, "nope");
        CliRun r = CliRun.of("backends");
        assertEquals(2, r.exitCode(), r.transcript());
        assertTrue(r.err().contains("nope"), r.transcript());
        assertTrue(r.err().contains("valid: cpu"), r.transcript());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.transcript());
        assertEquals("", r.out(), r.transcript());
    }

    @Test
    void unknownBackendFromOptionExitsTwo() {
        CliRun r = CliRun.of("bench", "--backend", "nope", "--json");
        assertEquals(2, r.exitCode(), r.transcript());
        assertTrue(r.err().contains("--backend=nope: unknown backend name; valid: cpu"), r.transcript());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.transcript());
    }

    @Test
    void noUsableBackendPrintsTheReportAndExitsOne() {
        System.setProperty(KillSwitch.property("cpu"), "true");
        CliRun verify = CliRun.of("verify");
        assertEquals(1, verify.exitCode(), verify.transcript());
        assertTrue(verify.err().contains("cpu: UNAVAILABLE (disabled by attn4j.cpu.disabled=true)"), verify.transcript());
        assertTrue(verify.err().contains("chosen: none"), "the report's table: " + verify.transcript());
        assertFalse(verify.err().contains("\tat "), "no stack trace: " + verify.transcript());
        // backends still answers, on stdout, with the same exit code.
        CliRun backends = CliRun.of("backends", "--json");
        assertEquals(1, backends.exitCode(), backends.transcript());
        assertTrue(backends.out().contains("\"chosen\":null") && backends.out().contains("\"available\":false"),
                backends.transcript());
    }

    @Test
    void benchJsonHasFiguresAndFiniteRatios() {
        CliRun r = CliRun.of("bench", "--batch", "2", "--context", "128", "--prefill-len", "64", "--iters", "2",
                "--warmup", "1", "--json");
        assertEquals(0, r.exitCode(), r.transcript());
        String json = r.out().trim();
        assertTrue(json.startsWith("{") && json.endsWith("}") && !json.contains("\n"),
                "stdout must be one JSON line (the progress bar goes to stderr): " + json);
        String decode = object(json, "decode");
        String prefill = object(json, "prefill");
        String ceiling = object(json, "ceiling");
        double gbps = number(decode, "gbps");
        double decodeRatio = number(decode, "ratio");
        double tflops = number(prefill, "tflops");
        double prefillRatio = number(prefill, "ratio");
        double copy = number(ceiling, "copy_gbps");
        double read = number(ceiling, "read_gbps");
        for (double v : new double[] {gbps, decodeRatio, tflops, prefillRatio, copy, read, number(ceiling, "compute_tflops"),
            number(decode, "host_median_ms"), number(decode, "copy_ratio")}) {
            assertTrue(Double.isFinite(v) && v > 0, "every figure finite and > 0: " + json);
        }
        // The ratios are the figures over the ceilings printed beside them: decode over the read ceiling.
        assertEquals(read, number(decode, "ceiling_gbps"), 1e-9 * read, json);
        assertEquals(gbps / read, decodeRatio, 1e-3 * decodeRatio + 1e-6, json);
        assertEquals(gbps / copy, number(decode, "copy_ratio"), 1e-3 * decodeRatio + 1e-6, json);
        // The device and host-issued figures come from separate runs of the same work (the device timer
        // queues a lead the host time must not see), so neither bounds the other; both time the same op.
        double device = number(decode, "median_ms");
        double host = number(decode, "host_median_ms");
        assertTrue(device <= 10 * host && host <= 10 * device, json);
        assertTrue(json.contains("\"timing\":\"device\""), json);
        assertEquals(tflops / number(prefill, "ceiling_tflops"), prefillRatio, 1e-3 * prefillRatio + 1e-6, json);
        // Bytes counted: 2*128 tokens x 8 heads x 128 dims x K,V x 1 byte + one 4-byte scale per token, head, K/V.
        assertEquals(2L * 128 * 8 * 128 * 2 + 2L * 128 * 8 * 2 * 4, (long) number(decode, "kv_bytes"), json);
        assertEquals(4L * 64 * 64 / 2 * 32 * 128, (long) number(prefill, "flops"), json);
        assertTrue(json.contains("\"backend\":\"cpu\"") && json.contains("\"model\":\"llama3-8b\""), json);
    }

    @Test
    void benchOnAllDevicesGivesEachDevicesFiguresFromOneRunAtOnce() {
        CliRun r = CliRun.of("bench", "--all-devices", "--batch", "2", "--context", "128", "--prefill-len", "32",
                "--iters", "2", "--warmup", "1", "--json");
        assertEquals(0, r.exitCode(), r.transcript());
        String json = r.out().trim();
        assertTrue(json.startsWith("{\"devices_at_once\":1,\"devices\":[{") && json.endsWith("}]}"), json);
        // This machine has one device (cpu): its result is the single bench's, with finite figures.
        String decode = object(json, "decode");
        assertTrue(number(decode, "gbps") > 0 && Double.isFinite(number(decode, "ratio")), json);
        assertTrue(json.contains("\"backend\":\"cpu\""), json);
        CliRun table = CliRun.of("bench", "--all-devices", "--batch", "1", "--context", "64", "--prefill-len", "16",
                "--iters", "1", "--warmup", "0");
        assertEquals(0, table.exitCode(), table.transcript());
        assertTrue(table.out().startsWith("device 0 of 1 (all running at once):"), table.out());
    }

    @Test
    void benchTableWithSoftCapModelAndFp8() {
        CliRun r = CliRun.of("bench", "--model", "gemma2-9b", "--kv", "fp8-e4m3", "--batch", "1", "--context", "64",
                "--prefill-len", "32", "--iters", "1", "--warmup", "0");
        assertEquals(0, r.exitCode(), r.transcript());
        assertTrue(r.out().contains("soft-cap 50"), r.transcript());
        assertTrue(r.out().contains("KV FP8_E4M3/TENSOR"), "fp8 defaults to TENSOR scales: " + r.transcript());
        assertTrue(Pattern.compile("(?m)^decode\\s+1 seq x 64 tokens").matcher(r.out()).find(), r.transcript());
    }

    @Test
    void badBenchOptionsAreUsageErrors() {
        CliRun zero = CliRun.of("bench", "--batch", "0");
        assertEquals(2, zero.exitCode(), zero.transcript());
        assertTrue(zero.err().contains("--batch=0"), zero.transcript());
        CliRun kv = CliRun.of("bench", "--kv", "int4");
        assertEquals(2, kv.exitCode(), kv.transcript());
        assertTrue(kv.err().contains("int4"), kv.transcript());
    }

    @Test
    void explainListsCpuWithItsFormats() {
        CliRun r = CliRun.of("explain");
        assertEquals(0, r.exitCode(), r.transcript());
        List<String> lines = Arrays.asList(r.out().split("\n"));
        int row = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("cpu ")) {
                row = i;
            }
        }
        assertTrue(row > 0, "a row for cpu: " + r.transcript());
        String cpuRow = lines.subList(row, lines.size()).stream().collect(Collectors.joining("\n"));
        assertTrue(cpuRow.contains("yes"), cpuRow);
        assertTrue(cpuRow.contains("INT8: TENSOR HEAD CHANNEL TOKEN TOKEN_GROUP"), cpuRow);
        assertTrue(cpuRow.contains("FP8_E4M3: TENSOR"), cpuRow);
        assertTrue(cpuRow.contains("BF16: NONE"), cpuRow);
        assertTrue(cpuRow.contains("SOFT_CAP"), cpuRow);
    }

    @Test
    void versionIsTheProjectVersion() {
        CliRun r = CliRun.of("--version");
        assertEquals(0, r.exitCode(), r.transcript());
        assertTrue(r.out().matches("(?s)attn4j \\d+\\.\\d+\\.\\d+.*"), r.transcript());
    }

    /** The body of a flat JSON object under {@code key} (the bench's sub-objects hold no objects). */
    private static String object(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\\{([^{}]*)\\}").matcher(json);
        assertTrue(m.find(), "no object " + key + " in " + json);
        return m.group(1);
    }

    private static double number(String body, String key) {
        Matcher m = Pattern.compile("(?:^|,)\"" + key + "\":(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)").matcher(body);
        assertTrue(m.find(), "no number " + key + " in " + body);
        return Double.parseDouble(m.group(1));
    }
}
