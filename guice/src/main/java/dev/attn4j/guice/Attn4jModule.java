package dev.attn4j.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Requirements;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.Selection;

import java.util.Set;
import java.util.function.Consumer;

/**
 * Guice bindings for a host application: the {@link BackendSelector}, the {@link Selection} and
 * the chosen {@link AttentionBackend}, all singletons. Applications add providers in code through
 * the multibinder:
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(
 *         new Attn4jModule(requirements),
 *         binder -> Attn4jModule.providers(binder).addBinding().to(MyProvider.class));
 * AttentionBackend backend = injector.getInstance(AttentionBackend.class);
 * ...
 * injector.getInstance(Selection.class).close();   // the injector's owner closes the backend
 * }</pre>
 */
public final class Attn4jModule extends AbstractModule {
    private final Requirements requirements;
    private final Consumer<BackendSelector.Builder> customizer;

    /** Selection with the defaults: ServiceLoader plus bound providers, priority or explicit order. */
    public Attn4jModule(Requirements requirements) {
        this(requirements, b -> { });
    }

    /** Selection with the builder adjusted (order, fallback, options ...). */
    public Attn4jModule(Requirements requirements, Consumer<BackendSelector.Builder> customizer) {
        this.requirements = requirements;
        this.customizer = customizer;
    }

    /** The multibinder through which an application adds providers. */
    public static Multibinder<AttentionBackendProvider> providers(com.google.inject.Binder binder) {
        return Multibinder.newSetBinder(binder, AttentionBackendProvider.class);
    }

    @Override
    protected void configure() {
        providers(binder());
        bind(Requirements.class).toInstance(requirements);
    }

    @Provides
    @Singleton
    BackendSelector selector(Set<AttentionBackendProvider> bound) {
        BackendSelector.Builder b = BackendSelector.builder().register(bound);
        customizer.accept(b);
        return b.build();
    }

    @Provides
    @Singleton
    Selection selection(BackendSelector selector, Requirements r) {
        return selector.select(r);
    }

    @Provides
    @Singleton
    AttentionBackend backend(Selection selection) {
        return selection.backend();
    }
}
