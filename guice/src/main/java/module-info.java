/** Guice bindings for attn4j; {@code com.google.guice} is Guice 7's automatic module name. */
// Said above: the automatic module is the only name the library has.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.attn4j.guice {
    requires transitive dev.attn4j.selector;
    requires transitive com.google.guice;

    exports dev.attn4j.guice;
    // Guice calls the module's package-private @Provides methods reflectively.
    opens dev.attn4j.guice to com.google.guice;
}
