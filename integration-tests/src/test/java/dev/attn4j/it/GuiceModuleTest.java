package dev.attn4j.it;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.BackendUnavailableException;
import dev.attn4j.api.DType;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.guice.Attn4jModule;
import dev.attn4j.selector.Outcome;
import dev.attn4j.selector.ProbeCache;
import dev.attn4j.selector.Selection;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Guice module: providers added through the multibinder, a singleton backend, closed by the owner. */
class GuiceModuleTest {

    @Test
    void bindsTheSelectedBackendAsASingleton() {
        ProbeCache.clear();
        Injector injector = Guice.createInjector(
                new Attn4jModule(SelectionScenariosTest.REQ,
                        b -> b.discover(false).environment(Map.of()).backendProperty(null)),
                binder -> Attn4jModule.providers(binder).addBinding().to(CpuBackendProvider.class),
                binder -> Attn4jModule.providers(binder).addBinding().to(TestProviders.Unavailable.class),
                binder -> Attn4jModule.providers(binder).addBinding().to(TestProviders.Faulty.class));
        AttentionBackend backend = injector.getInstance(AttentionBackend.class);
        assertSame(backend, injector.getInstance(AttentionBackend.class));
        assertEquals("t-faulty", backend.name(), "a provider bound in code outranks cpu");
        Selection selection = injector.getInstance(Selection.class);
        assertEquals(Outcome.UNAVAILABLE, selection.report().candidate("t-unavailable").orElseThrow().outcome());
        selection.close();
        assertThrows(BackendUnavailableException.class, () -> backend.allocate(DType.FP32, 1));
    }
}
