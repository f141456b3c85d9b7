/** The backend TCK: JUnit 5 tests any backend's conformance test extends. */
module dev.attn4j.tck {
    requires transitive dev.attn4j.conformance;
    requires transitive org.junit.jupiter.api;
    requires org.slf4j;

    exports dev.attn4j.tck;
    // JUnit instantiates the (subclassed) base and calls its lifecycle methods reflectively.
    opens dev.attn4j.tck to org.junit.platform.commons;
}
