package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.conformance.BadInputSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every bad-input case on cpu: the exception, its field=value message, and an unchanged cache. */
class CpuBadInputTest {
    private static AttentionBackend backend;
    private static AttentionBackend other;

    @BeforeAll
    static void open() {
        backend = new CpuBackendProvider().open(BackendOptions.defaults());
        other = new CpuBackendProvider().open(BackendOptions.defaults());
    }

    @AfterAll
    static void close() {
        backend.close();
        other.close();
    }

    @TestFactory
    Stream<DynamicTest> badInput() {
        return BadInputSuite.cases().stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> assertEquals("", BadInputSuite.check(backend, other, c), c.name())));
    }
}
