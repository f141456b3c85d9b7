/**
 * The attention SPI and its value types: what host applications program against and what backends
 * implement. {@code dev.attn4j.api.support} is the backend author's kit (request validation, work
 * split, tensor and cache bases); it is exported to everyone, not only to attn4j's own backends,
 * because a third-party backend needs it just as much, and host applications have no reason to use it.
 */
module dev.attn4j.api {
    requires org.slf4j;

    exports dev.attn4j.api;
    exports dev.attn4j.api.numeric;
    exports dev.attn4j.api.spi;
    exports dev.attn4j.api.support;
}
