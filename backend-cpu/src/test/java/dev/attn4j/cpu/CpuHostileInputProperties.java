package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.conformance.BadInputSuite;
import dev.attn4j.conformance.HostileCalls;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random invalid calls over every public method ({@link HostileCalls}): each is rejected with
 * InvalidRequestException whose message starts with {@code field=value}, and the cache, outputs and
 * inputs are unchanged byte for byte.
 */
class CpuHostileInputProperties {
    private static AttentionBackend backend;
    private static AttentionBackend other;

    @BeforeContainer
    static void open() {
        backend = new CpuBackendProvider().open(BackendOptions.defaults());
        other = new CpuBackendProvider().open(BackendOptions.defaults());
    }

    @AfterContainer
    static void close() {
        backend.close();
        other.close();
    }

    @Property(tries = 400)
    void everyInvalidCallIsRejectedAndChangesNothing(@ForAll long seed) {
        BadInputSuite.BadInputCase c = HostileCalls.random(new Random(seed));
        assertEquals("", BadInputSuite.check(backend, other, c), c.name());
    }
}
