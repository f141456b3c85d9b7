/** The host-app example: it names the selector only; the cpu backend is bound as a service. */
module dev.attn4j.example {
    requires dev.attn4j.selector;
}
