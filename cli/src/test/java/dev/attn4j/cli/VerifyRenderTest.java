package dev.attn4j.cli;

import dev.attn4j.conformance.CaseResult;
import dev.attn4j.conformance.SuiteReport;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The verify report shows each failure's detail before the summary (the cpu backend never fails, so built by hand). */
class VerifyRenderTest {

    @Test
    void failuresComeWithTheirDetailThenTheSummary() {
        SuiteReport report = new SuiteReport("fake", 100, List.of(
                new CaseResult("decode/int8/token", CaseResult.Status.PASSED, 1e-3, 2e-3, 0, 0, 0, "", 100, 1),
                new CaseResult("prefill/fp8/head", CaseResult.Status.FAILED, 0.5, 0.9, 0, 0, 0,
                        "relL2 5.0e-01 > 1.0e-02", 101, 1),
                new CaseResult("decode/bf16", CaseResult.Status.SKIPPED, 0, 0, 0, 0, 0, "kvDtype=BF16 not supported", 102, 0)));
        assertFalse(report.allPassed());
        String text = VerifyCommand.render(report);
        int failure = text.indexOf("prefill/fp8/head");
        int summary = text.indexOf("fake: 3 cases, 1 passed, 1 failed, 0 errors, 1 skipped");
        assertTrue(failure >= 0 && text.contains("relL2 5.0e-01 > 1.0e-02"), text);
        assertTrue(summary > failure, "summary after the failures: " + text);
        assertFalse(text.contains("decode/int8/token"), "passed cases are not listed: " + text);
        assertTrue(text.contains("1 case(s) skipped"), text);
    }
}
