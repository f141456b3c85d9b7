package dev.attn4j.cli;

import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.ScaleGranularity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench --sweep}: the grid it runs, and the table, CSV and SVG it writes (on cpu, a tiny grid). */
class SweepTest {

    @Test
    void theGridIsModelsTimesSizesTimesFormats() {
        List<BenchConfig> grid = Sweep.grid("llama3-8b,qwen2-7b", "1x100,4x50", "int8/token_group(32),bf16,fp8-e4m3", 16, 0, 1);
        assertEquals(2 * 2 * 3, grid.size());
        BenchConfig last = grid.get(grid.size() - 1);
        assertEquals("qwen2-7b", last.model().id);
        assertEquals(4, last.batch());
        assertEquals(50, last.context());
        assertEquals(KvDType.FP8_E4M3, last.kv());
        assertEquals(ScaleGranularity.TENSOR, last.granularity(), "fp8 without a granularity: its default");
        assertEquals(ScaleGranularity.tokenGroup(32), grid.get(0).granularity());
        assertEquals("fp8-e4m3/tensor", new Sweep.Format(KvDType.FP8_E4M3, ScaleGranularity.TENSOR).label());
        assertEquals("bf16", Sweep.Format.parse("bf16").label());
        assertThrows(InvalidRequestException.class, () -> Sweep.parseSizes("64by4096"));
    }

    @Test
    void aSweepWritesItsTableCsvAndChart(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("bench", "--sweep", "--sweep-models", "llama3-8b,qwen2-7b", "--sweep-sizes", "2x64",
                "--sweep-kv", "int8/token,bf16", "--iters", "1", "--warmup", "0", "--out", dir.toString());
        assertEquals(0, r.exitCode(), r.transcript());
        assertTrue(r.out().contains("read ceiling:") && r.out().contains("qwen2-7b") && r.out().contains("int8/token"),
                r.out());
        List<String> csv = Files.readAllLines(dir.resolve("sweep.csv"));
        assertEquals(1 + 4 + 1, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(5).startsWith("llama3-8b (repeat),2,64,int8/token,"), "the first point again, last: " + csv.get(5));
        for (String line : csv.subList(1, csv.size())) {
            String[] f = line.split(",");
            double gbps = Double.parseDouble(f[6]);
            double ratio = Double.parseDouble(f[7]);
            assertTrue(gbps > 0 && ratio > 0 && ratio < 2, line);
        }
        String svg = Files.readString(dir.resolve("sweep.svg"));
        assertTrue(svg.startsWith("<svg") && svg.trim().endsWith("</svg>"), svg);
        assertEquals(2, svg.split("<path ", -1).length - 1, "one line per KV format: " + svg);
        assertTrue(svg.contains(">int8/token<") && svg.contains(">bf16<") && svg.contains(">qwen2-7b 2x64<"), svg);
    }

    @Test
    void aStepIsTimedWholeAndCountsEveryLayer() {
        CliRun r = CliRun.of("bench", "--step", "--layers", "3", "--batch", "2", "--context", "64", "--iters", "2",
                "--warmup", "0", "--json");
        assertEquals(0, r.exitCode(), r.transcript());
        String json = r.out().trim();
        double device = Double.parseDouble(json.replaceAll(".*\"step_device_ms\":([0-9.eE+-]+).*", "$1"));
        double host = Double.parseDouble(json.replaceAll(".*\"step_host_ms\":([0-9.eE+-]+).*", "$1"));
        long bytes = Long.parseLong(json.replaceAll(".*\"kv_bytes\":([0-9]+).*", "$1"));
        // Separate runs of the same step give the two figures (Timing), so neither bounds the other
        // exactly on a noisy host; on cpu both time the same work and stay within a small factor.
        assertTrue(device > 0 && host > 0 && device <= 10 * host && host <= 10 * device, json);
        // 3 layers x 2 x 64 tokens x 8 heads x 128 dims x K,V + one fp32 scale per token, head, K/V
        assertEquals(3L * (2L * 64 * 8 * 128 * 2 + 2L * 64 * 8 * 2 * 4), bytes, json);
        assertTrue(json.contains("\"layers\":3"), json);
    }
}
