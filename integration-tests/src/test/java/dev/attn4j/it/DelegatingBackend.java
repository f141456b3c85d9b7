package dev.attn4j.it;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.support.ForwardingBackend;

/** A forwarding backend under a name of its own; test providers override what they break. */
class DelegatingBackend extends ForwardingBackend {
    private final String name;

    DelegatingBackend(String name, AttentionBackend delegate) {
        super(delegate);
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }
}
