package dev.attn4j.selector;

import dev.attn4j.api.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectionReportTest {
    private final SelectionReport report = new SelectionReport("headDim=128", "priority", List.of(
            new CandidateReport("cuda", 100, "x.CudaProvider (attn4j-backend-cuda.jar)", Outcome.UNAVAILABLE,
                    "no driver: \"libcuda.so.1\"\n", 2_000_000),
            new CandidateReport("cpu", 0, "x.CpuProvider (attn4j-backend-cpu.jar)", Outcome.CHOSEN, "validated 2 cases",
                    30_000_000)), "cpu", 33_000_000);

    @Test
    void jsonEscapesAndCarriesEveryField() {
        String json = report.json();
        assertTrue(json.startsWith("{\"requirements\":\"headDim=128\",\"order\":\"priority\",\"chosen\":\"cpu\",\"ms\":33.000,"), json);
        assertTrue(json.contains("\"reason\":\"no driver: \\\"libcuda.so.1\\\"\\n\""), json);
        assertTrue(json.contains("{\"name\":\"cpu\",\"priority\":0,"), json);
        assertFalse(json.contains("\n"), "one line");
    }

    @Test
    void tableAndLogLine() {
        assertTrue(report.table().contains("cuda            100  UNAVAILABLE"), report.table());
        assertTrue(report.table().contains("no driver: \"libcuda.so.1\"\ncpu "), "one line per candidate: " + report.table());
        assertTrue(report.table().endsWith("chosen: cpu\n"), report.table());
        assertEquals("attn4j selected cpu in 33.0 ms [headDim=128] order=priority; cuda: UNAVAILABLE (no driver: "
                + "\"libcuda.so.1\"\n); cpu: CHOSEN (validated 2 cases)", report.logLine());
    }

    @Test
    void runTimeFailureIsRecorded() {
        SelectionReport failed = report.withRunTimeFailure("cpu", "boom");
        assertEquals(Outcome.FAILED_AT_RUN_TIME, failed.candidate("cpu").orElseThrow().outcome());
        assertEquals("boom", failed.candidate("cpu").orElseThrow().reason());
        assertEquals(Outcome.CHOSEN, report.candidate("cpu").orElseThrow().outcome(), "the original is unchanged");
    }

    @Test
    void orderComesFromCodeThenPropertyThenEnvironment() {
        Map<String, String> env = Map.of("ATTN4J_BACKEND", "xpu, CPU");
        assertEquals(List.of("cuda"), BackendOrder.resolve(List.of("cuda"), "ilu", env).names());
        assertEquals(List.of("ilu", "cpu"), BackendOrder.resolve(List.of(), "ilu,cpu", env).names());
        assertEquals(List.of("xpu", "cpu"), BackendOrder.resolve(List.of(), null, env).names());
        assertEquals("priority", BackendOrder.resolve(List.of(), " ", Map.of()).source());
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> BackendOrder.resolve(List.of(), null, env).checkKnown(List.of("cpu", "cuda"), List.of()));
        assertEquals("xpu", e.value());
        assertTrue(e.getMessage().endsWith("valid: cpu, cuda"), e.getMessage());
    }
}
